#include "analyze/group.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <tuple>

namespace parkscope {
namespace {

// Label, site function, site file, site line, stripped-site fallback.
using GroupKey =
    std::tuple<std::string, std::string, std::string, int, std::string>;

GroupKey KeyOf(const ThreadSnapshot& t) {
  WaitSite site = t.Site();
  std::string fallback;
  if (site.function.empty() && site.file.empty() && t.site_frame >= 0 &&
      static_cast<size_t>(t.site_frame) < t.frames.size()) {
    const Frame& f = t.frames[t.site_frame];
    char offset[32];
    std::snprintf(offset, sizeof offset, "+0x%" PRIx64,
                  f.module.empty() ? f.pc : f.module_offset);
    fallback = f.module + offset;
  }
  return {t.wait.Label(), std::move(site.function), std::move(site.file),
          site.line, std::move(fallback)};
}

// 0: in a deadlock, 1: parked, 2: everything else.
int Rank(const StackGroup& g, bool parked) {
  if (g.in_deadlock) return 0;
  return parked ? 1 : 2;
}

}  // namespace

void GroupAndSort(ProcessSnapshot& snapshot) {
  std::stable_sort(snapshot.threads.begin(), snapshot.threads.end(),
                   [](const ThreadSnapshot& a, const ThreadSnapshot& b) {
                     return a.tid < b.tid;
                   });
  std::set<Tid> deadlocked;
  for (const Deadlock& d : snapshot.deadlocks) {
    deadlocked.insert(d.tids.begin(), d.tids.end());
  }

  std::map<GroupKey, size_t> index_of;
  std::vector<StackGroup> groups;
  std::vector<bool> parked;  // per group: any of its threads parked
  for (size_t i = 0; i < snapshot.threads.size(); ++i) {
    const ThreadSnapshot& t = snapshot.threads[i];
    auto [it, added] = index_of.try_emplace(KeyOf(t), groups.size());
    if (added) {
      StackGroup g;
      g.reason = t.wait.Label();
      g.site = t.Site();
      g.representative = i;
      groups.push_back(std::move(g));
      parked.push_back(false);
    }
    StackGroup& g = groups[it->second];
    // Threads arrive in tid order, so tids stay ascending and a tie on the
    // duration keeps the earlier (lower) tid as representative.
    g.tids.push_back(t.tid);
    if (IsParked(t.wait.reason)) parked[it->second] = true;
    if (deadlocked.count(t.tid) != 0) g.in_deadlock = true;
    const std::optional<int64_t>& blocked = t.wait.blocked_ns;
    if (!blocked) continue;
    if (!g.max_blocked_ns || *blocked > *g.max_blocked_ns) {
      g.max_blocked_ns = blocked;
      g.representative = i;
    }
    if (!g.min_blocked_ns || *blocked < *g.min_blocked_ns) {
      g.min_blocked_ns = blocked;
    }
  }

  std::vector<size_t> order(groups.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t ia, size_t ib) {
    const StackGroup& a = groups[ia];
    const StackGroup& b = groups[ib];
    int ra = Rank(a, parked[ia]), rb = Rank(b, parked[ib]);
    if (ra != rb) return ra < rb;
    if (a.max_blocked_ns.has_value() != b.max_blocked_ns.has_value()) {
      return a.max_blocked_ns.has_value();
    }
    if (a.max_blocked_ns && *a.max_blocked_ns != *b.max_blocked_ns) {
      return *a.max_blocked_ns > *b.max_blocked_ns;
    }
    if (a.tids.size() != b.tids.size()) return a.tids.size() > b.tids.size();
    return std::tie(a.site.file, a.site.line, a.reason, a.site.function,
                    a.tids.front()) < std::tie(b.site.file, b.site.line,
                                               b.reason, b.site.function,
                                               b.tids.front());
  });
  snapshot.groups.clear();
  snapshot.groups.reserve(groups.size());
  for (size_t i : order) snapshot.groups.push_back(std::move(groups[i]));
}

}  // namespace parkscope
