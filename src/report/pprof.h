// pprof's profile.proto (github.com/google/pprof/proto/profile.proto), the
// format `go tool pprof`, Grafana Pyroscope and Parca read. Two profiles:
//   - the threads profile of one snapshot, served by `parkscope watch` at
//     /debug/pprof/threads like Go's goroutine profile: one sample per
//     thread, sample types threads/count and blocked/nanoseconds;
//   - the wall-clock profile of `parkscope record`, built sample by sample.
// Stacks become locations (one per physical pc, its inlined frames as extra
// lines, inlined callee first and caller last, as pprof expects), functions
// and mappings (one per module). Every location carries its function lines
// and every mapping says so (has_functions etc.), so pprof never tries to
// re-symbolize against binaries it may not have.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/snapshot.h"

namespace parkscope {

struct ProfileValueType {
  std::string type;  // "threads", "blocked", "samples", "wall"
  std::string unit;  // "count", "nanoseconds"
};

// A sample label: a string label, or a number with a unit ("nanoseconds").
struct ProfileLabel {
  std::string key;
  std::string str;
  int64_t num = 0;
  std::string num_unit;
  bool numeric = false;

  static ProfileLabel String(std::string key, std::string value);
  static ProfileLabel Number(std::string key, int64_t value, std::string unit);
};

class ProfileBuilder {
 public:
  ProfileBuilder(std::vector<ProfileValueType> sample_types, ProfileValueType period_type,
                 int64_t period);

  // Adds `values` (one per sample type) for a stack, innermost frame first.
  // A stack and label set seen before adds to that sample, so a thread
  // parked at one place for a whole recording stays one sample.
  void Add(const std::vector<Frame>& frames, const std::vector<int64_t>& values,
           const std::vector<ProfileLabel>& labels);

  void SetTime(int64_t time_nanos, int64_t duration_nanos);
  void AddComment(std::string comment);
  // The sample type pprof shows first (else the last one).
  void SetDefaultSampleType(std::string type);
  // The module listed as the first mapping, which pprof calls the main
  // binary; by default the module of the first "main" frame added.
  void SetMainModule(std::string module);

  size_t sample_count() const { return samples_.size(); }

  // The encoded Profile message, not compressed.
  std::string Encode() const;

 private:
  struct Location {
    uint64_t address = 0;
    std::string module;
    std::vector<const Frame*> lines;  // innermost (inlined callee) first
  };
  struct Mapping {
    uint64_t start = UINT64_MAX;
    uint64_t limit = 0;
  };
  struct Sample {
    std::vector<uint64_t> location_ids;
    std::vector<int64_t> values;
    std::vector<ProfileLabel> labels;
  };

  uint64_t LocationFor(const std::vector<Frame>& frames, size_t begin, size_t end);

  std::vector<ProfileValueType> sample_types_;
  ProfileValueType period_type_;
  int64_t period_ = 0;
  int64_t time_nanos_ = 0;
  int64_t duration_nanos_ = 0;
  std::vector<std::string> comments_;
  std::string default_sample_type_;
  std::string main_module_;
  // Frames are copied once per distinct location and kept here, so the
  // locations can point at them.
  std::vector<std::unique_ptr<std::vector<Frame>>> frame_store_;
  std::vector<Location> locations_;  // id = index + 1
  std::unordered_map<std::string, uint64_t> location_ids_;
  std::map<std::string, Mapping> mappings_;
  std::vector<Sample> samples_;
  std::unordered_map<std::string, size_t> sample_index_;
};

// The threads profile of a snapshot (see the top of this file): labels
// reason, thread_name, site (strings) and blocked (nanoseconds, when known).
// Threads without a stack get one frame "(no stack: why)". Not compressed.
std::string EncodeThreadsProfile(const ProcessSnapshot& snapshot);

// EncodeThreadsProfile, gzipped, as served and saved (".pb.gz").
void WriteThreadsPprof(const ProcessSnapshot& snapshot, std::ostream& out);

}  // namespace parkscope
