# CTest mirror_vectors_fresh: regenerates the mirror vectors into FRESH and compares them with
# the committed ones in COMMITTED. Run with cmake -DGENERATOR=... -DCOMMITTED=... -DFRESH=... -P.
cmake_minimum_required(VERSION 3.25)
foreach(var GENERATOR COMMITTED FRESH)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_fresh.cmake needs -D${var}=...")
  endif()
endforeach()

set(regenerate "build the target make_mirror_vectors, then run (from the repository root)\n\
  <build-dir>/tests/vectors/make_mirror_vectors tests/vectors/mirror\n\
and commit the changed files with the domain change (see tests/vectors/README.md).")

# Where two texts first differ, shown with some context: the vectors' lines are long (one
# snapshot per line), so a line diff says little.
function(show_first_difference name committed fresh)
  file(READ "${committed}" a)
  file(READ "${fresh}" b)
  string(LENGTH "${a}" la)
  string(LENGTH "${b}" lb)
  set(lo 0)  # the first lo characters are equal
  if(la LESS lb)
    set(hi ${la})
  else()
    set(hi ${lb})
  endif()
  while(lo LESS hi)
    math(EXPR mid "(${lo} + ${hi} + 1) / 2")
    string(SUBSTRING "${a}" 0 ${mid} pa)
    string(SUBSTRING "${b}" 0 ${mid} pb)
    if(pa STREQUAL pb)
      set(lo ${mid})
    else()
      math(EXPR hi "${mid} - 1")
    endif()
  endwhile()
  math(EXPR from "${lo} - 160")
  if(from LESS 0)
    set(from 0)
  endif()
  string(SUBSTRING "${a}" ${from} 320 ca)
  string(SUBSTRING "${b}" ${from} 320 cb)
  message("${name}: first difference at character ${lo}\n"
          "  committed: ...${ca}...\n  fresh:     ...${cb}...\n")
endfunction()

file(REMOVE_RECURSE "${FRESH}")
execute_process(COMMAND "${GENERATOR}" "${FRESH}" RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "make_mirror_vectors failed (${status})")
endif()

file(GLOB fresh_files RELATIVE "${FRESH}" "${FRESH}/*.json")
file(GLOB committed_files RELATIVE "${COMMITTED}" "${COMMITTED}/*.json")
list(SORT fresh_files)
list(SORT committed_files)

set(stale "")
foreach(name IN LISTS fresh_files)
  if(NOT name IN_LIST committed_files)
    list(APPEND stale "${name} (new, not committed)")
    continue()
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files
                          "${COMMITTED}/${name}" "${FRESH}/${name}"
                  RESULT_VARIABLE differs)
  if(NOT differs EQUAL 0)
    list(APPEND stale "${name} (changed)")
    show_first_difference("${name}" "${COMMITTED}/${name}" "${FRESH}/${name}")
  endif()
endforeach()
foreach(name IN LISTS committed_files)
  if(NOT name IN_LIST fresh_files)
    list(APPEND stale "${name} (committed, no longer generated)")
  endif()
endforeach()

if(stale)
  list(JOIN stale "\n  " listing)
  message(FATAL_ERROR "The committed mirror vectors are stale:\n  ${listing}\n"
                      "The domain now produces different states or events; ${regenerate}")
endif()
list(LENGTH fresh_files count)
message(STATUS "${count} mirror vectors match ${COMMITTED}")
