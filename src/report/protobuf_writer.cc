#include "report/protobuf_writer.h"

namespace parkscope {
namespace {

constexpr int kWireVarint = 0;
constexpr int kWireLengthDelimited = 2;

}  // namespace

void ProtoWriter::RawVarint(uint64_t value) {
  while (value >= 0x80) {
    bytes_.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  bytes_.push_back(static_cast<char>(value));
}

void ProtoWriter::Key(int field, int wire_type) {
  RawVarint((static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(wire_type));
}

void ProtoWriter::Varint(int field, uint64_t value) {
  if (value == 0) return;
  Key(field, kWireVarint);
  RawVarint(value);
}

void ProtoWriter::Bytes(int field, std::string_view bytes) {
  Key(field, kWireLengthDelimited);
  RawVarint(bytes.size());
  bytes_.append(bytes.data(), bytes.size());
}

void ProtoWriter::PackedVarints(int field, const std::vector<uint64_t>& values) {
  if (values.empty()) return;
  ProtoWriter packed;
  for (uint64_t v : values) packed.RawVarint(v);
  Bytes(field, packed.bytes());
}

void ProtoWriter::PackedInt64s(int field, const std::vector<int64_t>& values) {
  if (values.empty()) return;
  ProtoWriter packed;
  for (int64_t v : values) packed.RawVarint(static_cast<uint64_t>(v));
  Bytes(field, packed.bytes());
}

}  // namespace parkscope
