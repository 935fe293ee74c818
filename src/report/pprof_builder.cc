// ProfileBuilder (pprof.h): interning of locations, functions, mappings and
// strings, and the encoding of profile.proto's Profile message.
#include <unordered_map>

#include "report/pprof.h"
#include "report/protobuf_writer.h"
#include "report/site_text.h"
#include "report/thread_text.h"

namespace parkscope {
namespace {

// profile.proto field numbers.
namespace field {
constexpr int kSampleType = 1, kSample = 2, kMapping = 3, kLocation = 4, kFunction = 5,
              kStringTable = 6, kTimeNanos = 9, kDurationNanos = 10, kPeriodType = 11, kPeriod = 12,
              kComment = 13, kDefaultSampleType = 14;
}  // namespace field

class StringTable {
 public:
  StringTable() { Index(""); }  // string_table[0] must be ""
  // Strings are interned as valid UTF-8: proto3 strings must be, and
  // names come from the target.
  int64_t Index(const std::string& s) {
    auto [it, added] = index_.try_emplace(s, static_cast<int64_t>(strings_.size()));
    if (added) strings_.push_back(ValidUtf8(s));
    return it->second;
  }
  const std::vector<std::string>& strings() const { return strings_; }

 private:
  std::unordered_map<std::string, int64_t> index_;
  std::vector<std::string> strings_;
};

// The name pprof shows for a frame: the function, else module+0xoffset (as
// debug1 prints frames without a function).
std::string FunctionName(const Frame& frame) {
  std::string name = FunctionOf(frame);
  return name.empty() ? AddressOf(frame, /*short_module=*/true) : name;
}

std::string LabelKey(const std::vector<ProfileLabel>& labels) {
  std::string key;
  for (const auto& l : labels) {
    key += l.key + '\x1f' + (l.numeric ? std::to_string(l.num) + l.num_unit : l.str) + '\x1e';
  }
  return key;
}

}  // namespace

ProfileLabel ProfileLabel::String(std::string key, std::string value) {
  ProfileLabel label;
  label.key = std::move(key);
  label.str = std::move(value);
  return label;
}

ProfileLabel ProfileLabel::Number(std::string key, int64_t value, std::string unit) {
  ProfileLabel label;
  label.key = std::move(key);
  label.num = value;
  label.num_unit = std::move(unit);
  label.numeric = true;
  return label;
}

ProfileBuilder::ProfileBuilder(std::vector<ProfileValueType> sample_types,
                               ProfileValueType period_type, int64_t period)
    : sample_types_(std::move(sample_types)),
      period_type_(std::move(period_type)),
      period_(period) {}

void ProfileBuilder::SetTime(int64_t time_nanos, int64_t duration_nanos) {
  time_nanos_ = time_nanos;
  duration_nanos_ = duration_nanos;
}

void ProfileBuilder::AddComment(std::string comment) { comments_.push_back(std::move(comment)); }
void ProfileBuilder::SetDefaultSampleType(std::string type) {
  default_sample_type_ = std::move(type);
}
void ProfileBuilder::SetMainModule(std::string module) { main_module_ = std::move(module); }

// frames[begin, end) are one physical frame: inlined frames, then the frame
// they were inlined into, all at one pc.
uint64_t ProfileBuilder::LocationFor(const std::vector<Frame>& frames, size_t begin, size_t end) {
  const Frame& physical = frames[end - 1];
  std::string key = physical.module + '\x1f' + std::to_string(physical.pc);
  for (size_t i = begin; i < end; ++i) key += '\x1f' + frames[i].function;
  auto [it, added] = location_ids_.try_emplace(key, locations_.size() + 1);
  if (!added) return it->second;
  frame_store_.push_back(
      std::make_unique<std::vector<Frame>>(frames.begin() + begin, frames.begin() + end));
  Location location;
  location.address = physical.pc;
  location.module = physical.module;
  for (const Frame& f : *frame_store_.back()) location.lines.push_back(&f);
  locations_.push_back(std::move(location));
  if (!physical.module.empty()) {
    Mapping& mapping = mappings_[physical.module];
    // pc - module_offset is the module's load bias: where its ELF address 0
    // sits, the start of its first mapping for a PIE or shared library.
    const uint64_t bias =
        physical.pc >= physical.module_offset ? physical.pc - physical.module_offset : 0;
    mapping.start = std::min(mapping.start, bias);
    mapping.limit = std::max(mapping.limit, physical.pc + 1);
  }
  for (const Frame& f : *frame_store_.back()) {
    if (main_module_.empty() && f.function == "main" && !f.module.empty()) {
      main_module_ = f.module;
    }
  }
  return it->second;
}

void ProfileBuilder::Add(const std::vector<Frame>& frames, const std::vector<int64_t>& values,
                         const std::vector<ProfileLabel>& labels) {
  std::vector<uint64_t> ids;
  for (size_t begin = 0; begin < frames.size();) {
    size_t end = begin;
    // An inlined frame shares the pc of the frame it was inlined into;
    // the run ends at the first frame that is not inlined.
    while (end < frames.size() && frames[end].inlined && end + 1 < frames.size() &&
           frames[end + 1].pc == frames[end].pc) {
      ++end;
    }
    ++end;
    ids.push_back(LocationFor(frames, begin, end));
    begin = end;
  }
  std::string key;
  for (uint64_t id : ids) key += std::to_string(id) + ',';
  key += '|' + LabelKey(labels);
  auto [it, added] = sample_index_.try_emplace(key, samples_.size());
  if (added) {
    samples_.push_back(Sample{std::move(ids), values, labels});
    samples_.back().values.resize(sample_types_.size(), 0);
    return;
  }
  Sample& sample = samples_[it->second];
  for (size_t i = 0; i < sample.values.size() && i < values.size(); ++i) {
    sample.values[i] += values[i];
  }
}

std::string ProfileBuilder::Encode() const {
  StringTable strings;
  ProtoWriter profile;
  auto value_type = [&](const ProfileValueType& vt) {
    ProtoWriter m;
    m.Int64(1, strings.Index(vt.type));
    m.Int64(2, strings.Index(vt.unit));
    return m;
  };
  for (const auto& vt : sample_types_) profile.Message(field::kSampleType, value_type(vt));

  for (const Sample& s : samples_) {
    ProtoWriter m;
    m.PackedVarints(1, s.location_ids);
    m.PackedInt64s(2, s.values);
    for (const ProfileLabel& l : s.labels) {
      ProtoWriter label;
      label.Int64(1, strings.Index(l.key));
      if (l.numeric) {
        label.Int64(3, l.num);
        label.Int64(4, strings.Index(l.num_unit));
      } else {
        label.Int64(2, strings.Index(l.str));
      }
      m.Message(3, label);
    }
    profile.Message(field::kSample, m);
  }

  // Mappings: the main module first, then by name; ids follow that order.
  std::vector<std::string> modules;
  if (mappings_.count(main_module_)) modules.push_back(main_module_);
  for (const auto& [name, mapping] : mappings_) {
    if (name != main_module_) modules.push_back(name);
  }
  std::unordered_map<std::string, uint64_t> mapping_ids;
  for (const std::string& name : modules) {
    const Mapping& mapping = mappings_.at(name);
    const uint64_t id = mapping_ids.size() + 1;
    mapping_ids[name] = id;
    ProtoWriter m;
    m.Varint(1, id);
    m.Varint(2, mapping.start);
    m.Varint(3, mapping.limit);
    m.Int64(5, strings.Index(name));
    for (int flag = 7; flag <= 10; ++flag) m.Bool(flag, true);  // has_functions..has_inline_frames
    profile.Message(field::kMapping, m);
  }

  std::unordered_map<std::string, uint64_t> function_ids;
  ProtoWriter functions;
  for (size_t i = 0; i < locations_.size(); ++i) {
    const Location& location = locations_[i];
    ProtoWriter m;
    m.Varint(1, i + 1);
    if (auto it = mapping_ids.find(location.module); it != mapping_ids.end()) {
      m.Varint(2, it->second);
    }
    m.Varint(3, location.address);
    for (const Frame* f : location.lines) {
      const std::string name = FunctionName(*f);
      const std::string system_name = f->symbol.empty() ? name : f->symbol;
      const std::string key = name + '\x1f' + system_name + '\x1f' + f->file;
      auto [it, added] = function_ids.try_emplace(key, function_ids.size() + 1);
      if (added) {
        ProtoWriter fn;
        fn.Varint(1, it->second);
        fn.Int64(2, strings.Index(name));
        fn.Int64(3, strings.Index(system_name));
        fn.Int64(4, strings.Index(f->file));
        functions.Message(field::kFunction, fn);
      }
      ProtoWriter line;
      line.Varint(1, it->second);
      line.Int64(2, f->line);
      m.Message(4, line);
    }
    profile.Message(field::kLocation, m);
  }
  std::string encoded = profile.Take();
  encoded += functions.bytes();

  ProtoWriter tail;
  tail.Int64(field::kTimeNanos, time_nanos_);
  tail.Int64(field::kDurationNanos, duration_nanos_);
  tail.Message(field::kPeriodType, value_type(period_type_));
  tail.Int64(field::kPeriod, period_);
  std::vector<int64_t> comment_ids;
  for (const auto& c : comments_) comment_ids.push_back(strings.Index(c));
  tail.PackedInt64s(field::kComment, comment_ids);
  if (!default_sample_type_.empty()) {
    tail.Int64(field::kDefaultSampleType, strings.Index(default_sample_type_));
  }
  // Last, once every message above has interned its strings.
  for (const std::string& s : strings.strings()) tail.Bytes(field::kStringTable, s);
  return encoded + tail.bytes();
}

}  // namespace parkscope
