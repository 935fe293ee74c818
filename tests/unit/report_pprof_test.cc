// The pprof encoder against a decoder written here from profile.proto's
// field numbers: what go tool pprof needs (string_table[0] == "", every id
// referenced exists, inlined frames as extra lines of one location, callee
// first) is checked field by field. go tool pprof itself reads the served
// profile in tests/e2e/watch_pprof_test.cc.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "../golden/synthetic_snapshots.h"
#include "report/gzip.h"
#include "report/pprof.h"
#include "report/protobuf_writer.h"

namespace parkscope {
namespace {

using testing::Analyzed;
using testing::FanoutFilter;
using testing::FanoutSnapshot;

// One decoded message: varints and length-delimited fields by number.
struct Message {
  std::multimap<int, uint64_t> varints;
  std::multimap<int, std::string> bytes;

  uint64_t U(int field) const {
    auto it = varints.find(field);
    return it == varints.end() ? 0 : it->second;
  }
  std::vector<std::string> All(int field) const {
    std::vector<std::string> out;
    auto [b, e] = bytes.equal_range(field);
    for (auto it = b; it != e; ++it) out.push_back(it->second);
    return out;
  }
};

bool ReadVarint(const std::string& s, size_t* at, uint64_t* value) {
  *value = 0;
  for (int shift = 0; shift < 64 && *at < s.size(); shift += 7) {
    const uint8_t b = static_cast<uint8_t>(s[(*at)++]);
    *value |= uint64_t{b & 0x7fu} << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

Message Decode(const std::string& s) {
  Message m;
  size_t at = 0;
  while (at < s.size()) {
    uint64_t key = 0, value = 0;
    EXPECT_TRUE(ReadVarint(s, &at, &key));
    const int field = static_cast<int>(key >> 3), wire = static_cast<int>(key & 7);
    EXPECT_TRUE(ReadVarint(s, &at, &value));
    if (wire == 0) {
      m.varints.emplace(field, value);
    } else {
      EXPECT_EQ(wire, 2);
      EXPECT_LE(at + value, s.size());
      m.bytes.emplace(field, s.substr(at, value));
      at += value;
    }
  }
  return m;
}

std::vector<uint64_t> Packed(const std::string& s) {
  std::vector<uint64_t> out;
  size_t at = 0;
  uint64_t v = 0;
  while (at < s.size() && ReadVarint(s, &at, &v)) out.push_back(v);
  return out;
}

struct Profile {
  Message top;
  std::vector<std::string> strings;
  std::vector<Message> samples, locations, functions, mappings;
  std::string Str(uint64_t index) const { return index < strings.size() ? strings[index] : "?"; }
};

Profile Parse(const std::string& raw) {
  Profile p;
  p.top = Decode(raw);
  p.strings = p.top.All(6);
  for (const auto& s : p.top.All(2)) p.samples.push_back(Decode(s));
  for (const auto& s : p.top.All(4)) p.locations.push_back(Decode(s));
  for (const auto& s : p.top.All(5)) p.functions.push_back(Decode(s));
  for (const auto& s : p.top.All(3)) p.mappings.push_back(Decode(s));
  return p;
}

TEST(ProtoWriter, EncodesVarintsAndLengthDelimitedFieldsLikeProtobuf) {
  ProtoWriter w;
  w.Varint(1, 150);  // the protobuf documentation's example: 08 96 01
  w.Bytes(2, "testing");
  w.Varint(3, 0);  // proto3 default: omitted
  w.Int64(4, -1);  // ten bytes of two's complement
  const std::string expected =
      std::string("\x08\x96\x01\x12\x07testing", 12) + "\x20" + std::string(9, '\xff') + "\x01";
  EXPECT_EQ(w.bytes(), expected);
}

TEST(Gzip, RoundTripsAndRejectsTruncatedStreams) {
  std::string data(100000, 'x');
  for (size_t i = 0; i < data.size(); i += 7) data[i] = static_cast<char>(i);
  auto gz = Gzip(data);
  ASSERT_TRUE(gz);
  EXPECT_EQ(static_cast<unsigned char>((*gz)[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>((*gz)[1]), 0x8b);
  EXPECT_EQ(Gunzip(*gz), data);
  EXPECT_FALSE(Gunzip(gz->substr(0, gz->size() / 2)));
  EXPECT_FALSE(Gunzip(*gz, /*max_bytes=*/1000));  // bigger than allowed
}

TEST(ThreadsProfile, HasGoReadableHeaderAndOneSamplePerThread) {
  const ProcessSnapshot s = Analyzed(FanoutSnapshot(3), FanoutFilter());
  const Profile p = Parse(EncodeThreadsProfile(s));
  ASSERT_FALSE(p.strings.empty());
  EXPECT_EQ(p.strings[0], "");
  auto types = p.top.All(1);
  ASSERT_EQ(types.size(), 2u);
  EXPECT_EQ(p.Str(Decode(types[0]).U(1)), "threads");
  EXPECT_EQ(p.Str(Decode(types[0]).U(2)), "count");
  EXPECT_EQ(p.Str(Decode(types[1]).U(1)), "blocked");
  EXPECT_EQ(p.Str(Decode(types[1]).U(2)), "nanoseconds");
  EXPECT_EQ(p.Str(p.top.U(14)), "threads");  // default_sample_type
  EXPECT_EQ(p.top.U(9), static_cast<uint64_t>(s.taken_at_unix_ns));
  EXPECT_EQ(p.samples.size(), s.threads.size());
  uint64_t total = 0;
  for (const Message& sample : p.samples) total += Packed(sample.All(2)[0])[0];
  EXPECT_EQ(total, s.threads.size());
}

TEST(ThreadsProfile, LabelsReasonNameSiteAndBlockedNanoseconds) {
  const ProcessSnapshot s = Analyzed(FanoutSnapshot(3), FanoutFilter());
  const Profile p = Parse(EncodeThreadsProfile(s));
  bool found_worker = false;
  for (const Message& sample : p.samples) {
    std::map<std::string, std::string> str;
    std::map<std::string, std::pair<uint64_t, std::string>> num;
    for (const auto& l : sample.All(3)) {
      Message label = Decode(l);
      if (label.varints.count(2)) str[p.Str(label.U(1))] = p.Str(label.U(2));
      if (label.varints.count(3)) num[p.Str(label.U(1))] = {label.U(3), p.Str(label.U(4))};
    }
    EXPECT_TRUE(str.count("reason"));
    EXPECT_TRUE(str.count("thread_name"));
    if (str["thread_name"] != "worker" || found_worker) continue;
    found_worker = true;
    EXPECT_EQ(str["reason"], "chan send");
    EXPECT_EQ(str["site"], "fetch.cc:88 worker(Channel&)");
    ASSERT_TRUE(num.count("blocked"));
    EXPECT_EQ(num["blocked"].first, 580'000'000'000u);
    EXPECT_EQ(num["blocked"].second, "nanoseconds");
    EXPECT_EQ(Packed(sample.All(2)[0]), (std::vector<uint64_t>{1, 580'000'000'000u}));
  }
  EXPECT_TRUE(found_worker);
}

TEST(ThreadsProfile, InlinedFramesAreLinesOfOneLocationCalleeFirst) {
  const ProcessSnapshot s = Analyzed(FanoutSnapshot(1), FanoutFilter());
  const Profile p = Parse(EncodeThreadsProfile(s));
  std::map<uint64_t, std::string> function_names;
  for (const Message& f : p.functions) function_names[f.U(1)] = p.Str(f.U(2));
  // Find the location whose lines are Channel::Send inlined into worker.
  bool found = false;
  for (const Message& loc : p.locations) {
    std::vector<std::string> lines;
    for (const auto& l : loc.All(4)) lines.push_back(function_names[Decode(l).U(1)]);
    if (lines == std::vector<std::string>{"Channel::Send(int)", "worker(Channel&)"}) found = true;
  }
  EXPECT_TRUE(found);
  // Every referenced id exists (pprof: "malformed profile" otherwise).
  const size_t n_locations = p.locations.size(), n_mappings = p.mappings.size();
  for (const Message& sample : p.samples) {
    for (uint64_t id : Packed(sample.All(1).empty() ? "" : sample.All(1)[0])) {
      EXPECT_GE(id, 1u);
      EXPECT_LE(id, n_locations);
    }
  }
  for (const Message& loc : p.locations) EXPECT_LE(loc.U(2), n_mappings);
}

TEST(ThreadsProfile, MappingsClaimSymbolsSoPprofNeverResymbolizesMainFirst) {
  const ProcessSnapshot s = Analyzed(FanoutSnapshot(1), FanoutFilter());
  const Profile p = Parse(EncodeThreadsProfile(s));
  ASSERT_FALSE(p.mappings.empty());
  EXPECT_EQ(p.Str(p.mappings[0].U(5)), testing::kFanoutBin);  // the module with main()
  for (const Message& m : p.mappings) {
    for (int flag = 7; flag <= 10; ++flag) EXPECT_EQ(m.U(flag), 1u) << "field " << flag;
    EXPECT_LT(m.U(2), m.U(3));  // start < limit
  }
}

TEST(ThreadsProfile, ThreadWithoutStackGetsOneNamedFrame) {
  const ProcessSnapshot s = Analyzed(FanoutSnapshot(1), FanoutFilter());
  const std::string raw = EncodeThreadsProfile(s);
  EXPECT_NE(raw.find("(no stack: PTRACE_SEIZE: Operation not permitted"), std::string::npos);
}

TEST(ProfileBuilder, MergesIdenticalStacksAndLabelsBySummingValues) {
  ProfileBuilder b({{"samples", "count"}, {"wall", "nanoseconds"}}, {"wall", "nanoseconds"}, 100);
  const auto frames = Analyzed(FanoutSnapshot(1), FanoutFilter()).threads[1].frames;
  const std::vector<ProfileLabel> labels = {ProfileLabel::String("reason", "cond wait")};
  b.Add(frames, {1, 100}, labels);
  b.Add(frames, {1, 150}, labels);
  b.Add(frames, {1, 100}, {ProfileLabel::String("reason", "running")});
  EXPECT_EQ(b.sample_count(), 2u);
  const Profile p = Parse(b.Encode());
  ASSERT_EQ(p.samples.size(), 2u);
  EXPECT_EQ(Packed(p.samples[0].All(2)[0]), (std::vector<uint64_t>{2, 250}));
  EXPECT_EQ(p.top.U(12), 100u);  // period
}

TEST(ThreadsProfile, InvalidUtf8InNamesIsReplaced) {
  ProcessSnapshot s = Analyzed(FanoutSnapshot(1), FanoutFilter());
  s.threads[0].name = "bad\xff\xfename";
  const Profile p = Parse(EncodeThreadsProfile(s));
  bool found = false;
  for (const auto& str : p.strings) found |= str == "bad\xEF\xBF\xBD\xEF\xBF\xBDname";
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace parkscope
