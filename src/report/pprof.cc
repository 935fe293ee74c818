#include "report/pprof.h"

#include "report/gzip.h"
#include "report/site_text.h"

namespace parkscope {
namespace {

std::vector<ProfileLabel> ThreadLabels(const ThreadSnapshot& thread) {
  std::vector<ProfileLabel> labels;
  labels.push_back(ProfileLabel::String("reason", thread.wait.Label()));
  labels.push_back(ProfileLabel::String("thread_name", thread.name));
  if (thread.site_frame >= 0) {
    labels.push_back(ProfileLabel::String("site", SiteText(thread.Site())));
  }
  if (thread.wait.blocked_ns) {
    labels.push_back(ProfileLabel::Number("blocked", *thread.wait.blocked_ns, "nanoseconds"));
  }
  return labels;
}

}  // namespace

std::string EncodeThreadsProfile(const ProcessSnapshot& snapshot) {
  ProfileBuilder builder({{"threads", "count"}, {"blocked", "nanoseconds"}}, {"threads", "count"},
                         1);
  builder.SetTime(snapshot.taken_at_unix_ns, 0);
  builder.SetDefaultSampleType("threads");
  builder.AddComment("parkscope threads profile: pid " + std::to_string(snapshot.pid) + " (" +
                     snapshot.command + ")");
  builder.AddComment(std::to_string(snapshot.threads.size()) + " threads, " +
                     std::to_string(snapshot.ParkedCount()) + " parked");
  for (const ThreadSnapshot& thread : snapshot.threads) {
    std::vector<Frame> placeholder;
    const std::vector<Frame>* frames = &thread.frames;
    if (frames->empty()) {
      // A sample without locations shows as nothing in most pprof views;
      // one named frame keeps the thread visible and says why.
      Frame none;
      none.function =
          "(no stack: " +
          (thread.capture_error.empty() ? std::string("not captured") : thread.capture_error) + ")";
      placeholder.push_back(std::move(none));
      frames = &placeholder;
    }
    builder.Add(*frames, {1, thread.wait.blocked_ns.value_or(0)}, ThreadLabels(thread));
  }
  return builder.Encode();
}

void WriteThreadsPprof(const ProcessSnapshot& snapshot, std::ostream& out) {
  if (auto gz = Gzip(EncodeThreadsProfile(snapshot))) out << *gz;
}

}  // namespace parkscope
