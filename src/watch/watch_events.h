// The fields of the watch daemon's log events (event_log.h writes them).
// Keys are stable; new keys may be added, none renamed.
//
//   leak:  reason, site, function, file, line, count, first_count,
//          rate_per_min, window_s, created_by (site text or null),
//          created_by_tid
//   stuck: tid, name, reason, blocked_s, blocked_source, site, function,
//          file, line, stack (up to 64 lines "function  file:line"),
//          created_by
//   sample (--log-samples): seq, threads, parked, captured, reused,
//          stopped_us, longest_stop_us, duration_us, cpu_us
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "watch/leak_trend.h"
#include "watch/sampler.h"
#include "watch/watch_sample.h"

namespace parkscope {

nlohmann::ordered_json LeakEventFields(const LeakAlarm& alarm);
nlohmann::ordered_json StuckEventFields(const SampledThread& thread);
nlohmann::ordered_json SampleEventFields(const SampleOutcome& outcome, int64_t cpu_ns);

}  // namespace parkscope
