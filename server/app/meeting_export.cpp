#include "app/meeting_export.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include <google/protobuf/util/json_util.h>
#include <boost/json.hpp>

#include <spdlog/spdlog.h>

#include "domain/decider.hpp"
#include "domain/projection.hpp"

namespace majlis::app {

namespace json = boost::json;

namespace {

// {"<key>":<message in the protobuf JSON mapping>}\n, with the wire codec's options
// (lowerCamelCase names, enums by name, 64-bit integers as strings, defaults omitted).
void append_line(std::string& out, std::string_view key, const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = false;
  options.preserve_proto_field_names = false;
  std::string encoded;
  const auto status = google::protobuf::util::MessageToJsonString(message, &encoded, options);
  if (!status.ok())
    throw std::invalid_argument("cannot encode " + message.GetDescriptor()->name() +
                                " as JSON: " + std::string(status.message()));
  out += "{\"";
  out += key;
  out += "\":";
  out += encoded;
  out += "}\n";
}

}  // namespace

export_document::export_document(std::string meeting_id, uint64_t epoch, export_reader reader,
                                 std::string_view signing_secret)
    : meeting_id_(std::move(meeting_id)),
      epoch_(epoch),
      reader_(reader),
      seal_(signing_secret, meeting_id_) {}

void export_document::start_from_snapshot(v1::MeetingState snapshot) {
  // The snapshot line stays as stored (a running secret tally sealed); the fold opens it.
  snapshot_ = snapshot;
  state_ = std::move(snapshot);
  const int unopened = seal_.open_running_tallies(state_);
  if (unopened > 0) {
    unopened_ballots_ += static_cast<uint64_t>(unopened);
    spdlog::error("event=sealed_tally_unopened meeting={} seq={} during=export", meeting_id_,
                  state_.seq());
  }
}

bool export_document::add_event(const v1::Event& event) {
  if (event.seq() != state_.seq() + 1) return false;
  if (event.has_ballot_cast() && !event.ballot_cast().sealed_choices().empty()) {
    v1::Event opened = event;
    if (seal_.open_event(opened) == ballot_seal::opened::failed) {
      ++unopened_ballots_;
      spdlog::error("event=sealed_ballot_unopened meeting={} poll={} seq={} during=export",
                    meeting_id_, event.ballot_cast().poll_id(), event.seq());
    }
    domain::evolve(state_, opened);
  } else {
    domain::evolve(state_, event);
  }
  state_.set_seq(event.seq());
  if (reader_ == export_reader::operator_admin) {
    append_line(event_lines_, "event", event);
  } else {
    // What the chair's console was sent: a secret ballot without its choice, and so on.
    v1::Event projected;
    if (!domain::project_event(state_, event, domain::audience::moderator, projected)) {
      projected.Clear();
      projected.set_seq(event.seq());
    }
    append_line(event_lines_, "event", projected);
  }
  ++event_count_;
  return true;
}

std::string export_document::finish(int64_t exported_at_ms) const {
  const bool moderator = reader_ == export_reader::moderator;
  const auto as_read = [&](const v1::MeetingState& state) {
    if (moderator) return domain::project_state(state, domain::audience::moderator, {});
    // As a stored snapshot: an open secret poll's running tally sealed (with a single ballot
    // cast, or two exports a ballot apart, it would tell how someone voted).
    v1::MeetingState stored = state;
    if (!seal_.seal_running_tallies(stored, /*repeatable=*/true))
      throw std::invalid_argument("cannot seal the running tally of an open secret poll");
    return stored;
  };
  json::object header{{"meetingId", meeting_id_},
                      {"epoch", std::to_string(epoch_)},
                      {"headSeq", std::to_string(state_.seq())},
                      {"exportedAtMs", std::to_string(exported_at_ms)},
                      {"complete", !snapshot_.has_value()},
                      {"secretChoicesRedacted", moderator}};
  std::string out = json::serialize(json::object{{"export", std::move(header)}});
  out += '\n';
  if (snapshot_) append_line(out, "snapshot", as_read(*snapshot_));
  out += event_lines_;
  append_line(out, "state", as_read(state_));
  return out;
}

boost::asio::awaitable<export_result> export_meeting(store::event_log& log, std::string meeting_id,
                                                     export_reader reader, int64_t exported_at_ms,
                                                     std::string signing_secret) {
  const auto failed = [](export_status status, std::string problem) {
    return export_result{status, {}, std::move(problem)};
  };
  const auto changed_epoch = [&] {
    return failed(export_status::unavailable,
                  "the meeting's log changed epoch during the export; try again");
  };

  auto page = co_await log.read(meeting_id, 0, export_page_events);
  if (page.status == store::read_status::not_found)
    co_return failed(export_status::not_found, "no such meeting");
  if (page.status == store::read_status::unavailable)
    co_return failed(export_status::unavailable, "the event store is unavailable");

  export_document document(meeting_id, page.epoch, reader, signing_secret);
  // A live meeting grows while we read: the export ends at the head of the first read.
  uint64_t target_seq = page.head_seq;
  for (;;) {
    if (page.status == store::read_status::trimmed) {
      // Only the start of the log may be missing; a trim that overtakes us midway is a retry.
      if (document.has_events())
        co_return failed(export_status::unavailable,
                         "the meeting's log was trimmed during the export; try again");
      auto snapshot = co_await log.load_snapshot(meeting_id);
      if (snapshot.status != store::read_status::ok)
        co_return failed(export_status::unavailable, "the event store is unavailable");
      if (snapshot.epoch != document.epoch()) co_return changed_epoch();
      if (!snapshot.state || snapshot.state->seq() <= document.seq())
        co_return failed(export_status::broken,
                         "the meeting's log is trimmed and holds no snapshot to start from");
      document.start_from_snapshot(std::move(*snapshot.state));
      target_seq = std::max(target_seq, document.seq());
    } else if (page.status != store::read_status::ok) {
      co_return failed(export_status::unavailable, "the event store is unavailable");
    } else {
      if (page.epoch != document.epoch()) co_return changed_epoch();
      if (page.events.empty() && document.seq() < target_seq)
        co_return failed(export_status::broken,
                         "the meeting's log ends at seq " + std::to_string(document.seq()) +
                             " before its head " + std::to_string(target_seq));
      for (const auto& event : page.events) {
        if (event.seq() > target_seq) break;
        if (!document.add_event(event))
          co_return failed(export_status::broken, "the meeting's log has a gap after seq " +
                                                      std::to_string(document.seq()));
      }
    }
    if (document.seq() >= target_seq) break;
    page = co_await log.read(meeting_id, document.seq(), export_page_events);
  }

  export_result result{export_status::ok, {}, {}};
  try {
    result.body = document.finish(exported_at_ms);
  } catch (const std::invalid_argument& e) {
    result = failed(export_status::broken, e.what());
  }
  co_return result;
}

}  // namespace majlis::app
