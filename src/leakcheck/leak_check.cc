#include "leakcheck/leak_check.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace parkscope {
namespace {

const Frame* FirstNonRuntime(const std::vector<Frame>& frames) {
  for (const Frame& f : frames) {
    if (!f.is_runtime) return &f;
  }
  return nullptr;
}

bool AnyMatches(const std::vector<FunctionPattern>& patterns, std::string_view function) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const FunctionPattern& p) { return p.Matches(function); });
}

}  // namespace

bool IgnoreRules::Ignores(const ThreadSnapshot& thread) const {
  if (tids.count(thread.tid) != 0) return true;
  if (ignore_uncreated && !thread.created_by) return true;
  if (thread.site_frame >= 0 &&
      AnyMatches(top, thread.frames[static_cast<size_t>(thread.site_frame)].function)) {
    return true;
  }
  for (const Frame& f : thread.frames) {
    if (AnyMatches(any, f.function)) return true;
  }
  if (thread.created_by && !created_by.empty()) {
    if (const Frame* creator = FirstNonRuntime(thread.created_by->frames);
        creator != nullptr && AnyMatches(created_by, creator->function)) {
      return true;
    }
  }
  return false;
}

std::vector<const ThreadSnapshot*> FindLeaks(const ProcessSnapshot& snapshot, Tid exiting_tid,
                                             const IgnoreRules& rules) {
  std::vector<const ThreadSnapshot*> leaks;
  for (const ThreadSnapshot& t : snapshot.threads) {
    if (t.tid == snapshot.pid || t.tid == exiting_tid) continue;
    if (t.state == 'Z' || t.state == 'X') continue;
    if (!rules.Ignores(t)) leaks.push_back(&t);
  }
  return leaks;
}

std::vector<const ThreadSnapshot*> FindBlockedLongerThan(const ProcessSnapshot& snapshot,
                                                         int64_t limit_ns,
                                                         const IgnoreRules& rules) {
  std::vector<const ThreadSnapshot*> stuck;
  for (const ThreadSnapshot& t : snapshot.threads) {
    if (!IsParked(t.wait.reason) || !t.wait.blocked_ns) continue;
    if (*t.wait.blocked_ns > limit_ns && !rules.Ignores(t)) stuck.push_back(&t);
  }
  return stuck;
}

std::vector<CreationGroup> GroupByCreation(const std::vector<const ThreadSnapshot*>& threads) {
  std::map<std::tuple<std::string, std::string, std::string, int>, CreationGroup> groups;
  for (const ThreadSnapshot* t : threads) {
    CreationGroup key_group;
    if (t->created_by) {
      key_group.test_name = t->created_by->test_name;
      if (const Frame* f = FirstNonRuntime(t->created_by->frames)) {
        key_group.creation_site = {f->function, f->file, f->line};
      }
    }
    auto key = std::make_tuple(key_group.test_name, key_group.creation_site.file,
                               key_group.creation_site.function, key_group.creation_site.line);
    auto [it, inserted] = groups.emplace(key, key_group);
    it->second.threads.push_back(t);
  }
  std::vector<CreationGroup> out;
  for (auto& [key, group] : groups) out.push_back(std::move(group));
  // Largest first: the leak worth fixing first.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.threads.size() > b.threads.size();
  });
  return out;
}

}  // namespace parkscope
