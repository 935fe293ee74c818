#include "leakcheck/leak_report.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "report/duration_format.h"
#include "report/json.h"
#include "report/names.h"
#include "report/summary.h"
#include "report/thread_text.h"

namespace parkscope {
namespace {

void WriteThreadLine(const ThreadSnapshot& t, std::ostream& out) {
  out << "  thread " << t.tid << ' ' << QuoteName(t.name) << " [" << Printable(t.wait.Label());
  if (t.wait.blocked_ns) out << ", blocked " << FormatDuration(*t.wait.blocked_ns);
  out << ']';
  const WaitSite site = t.Site();
  if (!site.file.empty()) out << " at " << Printable(Basename(site.file)) << ':' << site.line;
  if (!site.function.empty()) out << " in " << ShortenName(CleanFunctionName(site.function));
  out << '\n';
}

std::string Where(const CreationGroup& group) {
  std::string where;
  if (!group.test_name.empty()) where += " in test " + Printable(group.test_name);
  if (!group.creation_site.function.empty()) {
    where += " by " + ShortenName(CleanFunctionName(group.creation_site.function));
  }
  if (!group.creation_site.file.empty()) {
    where += " at " + Printable(Basename(group.creation_site.file)) + ":" +
             std::to_string(group.creation_site.line);
  }
  return where.empty() ? " (creation not seen: started before the agent, or without it)"
                       : where;
}

void WriteGroups(const std::vector<const ThreadSnapshot*>& threads, std::ostream& out) {
  for (const CreationGroup& group : GroupByCreation(threads)) {
    out << '\n' << CountOf(group.threads.size(), "thread") << " created" << Where(group) << '\n';
    for (const ThreadSnapshot* t : group.threads) WriteThreadLine(*t, out);
    const ThreadSnapshot& first = *group.threads.front();
    out << "  stack of thread " << first.tid << ":\n";
    WriteStackLines(first.frames, first.stack_note, "      ", out);
    if (first.created_by) {
      out << "  created by thread " << first.created_by->tid << ":\n";
      WriteStackLines(first.created_by->frames, "", "      ", out);
    }
  }
}

}  // namespace

void WriteLeakReportText(const ProcessSnapshot& snapshot, const LeakVerdict& verdict,
                         std::ostream& out) {
  const std::string who = "pid " + std::to_string(snapshot.pid) + " (" +
                          Printable(snapshot.command) + ")";
  if (!verdict.leaked.empty()) {
    out << "parkscope: " << CountOf(verdict.leaked.size(), "leaked thread") << ' '
        << verdict.when << " of " << who << "; waited "
        << FormatDuration(verdict.settled_ns) << " for threads to finish\n";
    WriteGroups(verdict.leaked, out);
  }
  if (!verdict.blocked_too_long.empty()) {
    if (!verdict.leaked.empty()) out << '\n';
    out << "parkscope: " << CountOf(verdict.blocked_too_long.size(), "thread")
        << " parked longer than " << FormatDuration(verdict.blocked_limit_ns) << ' '
        << verdict.when << " of " << who << '\n';
    WriteGroups(verdict.blocked_too_long, out);
  }
  if (!verdict.failed()) out << "parkscope: no leaked threads " << verdict.when << " of " << who << '\n';
}

void WriteLeakReportJson(const ProcessSnapshot& snapshot, const LeakVerdict& verdict,
                         std::ostream& out) {
  nlohmann::ordered_json j;
  j["schema"] = "parkscope.leakcheck/1";
  j["when"] = verdict.when;
  j["failed"] = verdict.failed();
  j["exiting_tid"] = verdict.exiting_tid;
  j["settled_ns"] = verdict.settled_ns;
  j["leaks"] = nlohmann::ordered_json::array();
  for (const CreationGroup& group : GroupByCreation(verdict.leaked)) {
    nlohmann::ordered_json g;
    g["test"] = group.test_name;
    g["created_at"] = {{"function", group.creation_site.function},
                       {"file", group.creation_site.file},
                       {"line", group.creation_site.line}};
    g["count"] = group.threads.size();
    g["tids"] = nlohmann::ordered_json::array();
    for (const ThreadSnapshot* t : group.threads) g["tids"].push_back(t->tid);
    j["leaks"].push_back(std::move(g));
  }
  j["blocked_too_long"] = nlohmann::ordered_json::array();
  for (const ThreadSnapshot* t : verdict.blocked_too_long) j["blocked_too_long"].push_back(t->tid);
  j["blocked_limit_ns"] = verdict.blocked_limit_ns;
  std::stringstream snapshot_json;
  WriteJson(snapshot, snapshot_json);
  j["snapshot"] = nlohmann::ordered_json::parse(snapshot_json.str(), nullptr, false);
  out << j.dump(2) << '\n';
}

}  // namespace parkscope
