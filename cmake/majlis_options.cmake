# Per-target warning and sanitizer settings, applied to every Majlis target.
function(majlis_target_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  # GCC 12 reports Asio's coroutine frame allocator as a mismatched new/delete pair at -O2
  # (a false positive: the frame is allocated and freed by the same awaitable_frame_base).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-mismatched-new-delete)
  endif()
  if(MAJLIS_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(MAJLIS_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# Sanitizer flags must reach every object that shares memory with instrumented code.
if(MAJLIS_SANITIZE)
  add_link_options(-fsanitize=address,undefined)
endif()
