#include "watch/watch_events.h"

#include <cmath>

#include "report/names.h"
#include "report/site_text.h"
#include "report/thread_text.h"

namespace parkscope {
namespace {

constexpr size_t kMaxStackLines = 64;

// Rounded for people: 0.1 thread/min, 1 ms.
double Round(double value, double unit) { return std::round(value / unit) * unit; }

void AddSite(const WaitSite& site, nlohmann::ordered_json* fields) {
  (*fields)["site"] = SiteText(site);
  (*fields)["function"] = ValidUtf8(CleanFunctionName(site.function));
  (*fields)["file"] = ValidUtf8(site.file);
  (*fields)["line"] = site.line;
}

}  // namespace

nlohmann::ordered_json LeakEventFields(const LeakAlarm& alarm) {
  nlohmann::ordered_json fields;
  fields["reason"] = ValidUtf8(alarm.reason);
  AddSite(alarm.site, &fields);
  fields["count"] = alarm.count;
  fields["first_count"] = alarm.first_count;
  fields["rate_per_min"] = Round(alarm.rate_per_min, 0.1);
  fields["window_s"] = Round(alarm.window_seconds, 0.001);
  if (alarm.created_by) {
    fields["created_by"] = SiteText(*alarm.created_by);
    fields["created_by_tid"] = alarm.created_by_tid;
  } else {
    fields["created_by"] = nullptr;
  }
  return fields;
}

nlohmann::ordered_json StuckEventFields(const SampledThread& sampled) {
  const ThreadSnapshot& thread = *sampled.thread;
  nlohmann::ordered_json fields;
  fields["tid"] = thread.tid;
  fields["name"] = ValidUtf8(thread.name);
  fields["reason"] = ValidUtf8(thread.wait.Label());
  fields["blocked_s"] = Round(static_cast<double>(sampled.blocked_ns.value_or(0)) / 1e9, 0.001);
  fields["blocked_source"] = BlockedSourceName(sampled.blocked_source);
  AddSite(thread.Site(), &fields);
  nlohmann::ordered_json stack = nlohmann::ordered_json::array();
  for (size_t i = 0; i < thread.frames.size() && i < kMaxStackLines; ++i) {
    const Frame& f = thread.frames[i];
    std::string line = FunctionOf(f);
    if (line.empty()) line = AddressOf(f, true);
    if (!f.file.empty())
      line += "  " + std::string(Basename(f.file)) + ":" + std::to_string(f.line);
    stack.push_back(ValidUtf8(line));
  }
  if (thread.frames.size() > kMaxStackLines) {
    stack.push_back("... " + std::to_string(thread.frames.size() - kMaxStackLines) +
                    " more frames");
  }
  fields["stack"] = std::move(stack);
  const Frame* creator = thread.created_by ? CreatorFrame(*thread.created_by) : nullptr;
  if (creator != nullptr) {
    fields["created_by"] = SiteText({creator->function, creator->file, creator->line});
  } else {
    fields["created_by"] = nullptr;
  }
  return fields;
}

nlohmann::ordered_json SampleEventFields(const SampleOutcome& outcome, int64_t cpu_ns) {
  const WatchSample& s = *outcome.sample;
  nlohmann::ordered_json fields;
  fields["seq"] = s.seq;
  fields["threads"] = s.threads.size();
  fields["parked"] = s.ParkedCount();
  fields["captured"] = outcome.captured;
  fields["reused"] = outcome.reused;
  fields["stopped_us"] = s.capture.threads_stopped_total_us;
  fields["longest_stop_us"] = s.capture.longest_stop_us;
  fields["duration_us"] = static_cast<int64_t>(s.counters.last_sample_duration_seconds * 1e6);
  fields["cpu_us"] = cpu_ns / 1000;
  return fields;
}

}  // namespace parkscope
