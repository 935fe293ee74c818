// A minimal protocol buffers encoder: exactly what profile.proto needs
// (varints, length-delimited fields, packed repeated varints), appending to
// a byte string. Hand-written rather than libprotobuf: the profile has ten
// message types and no parsing side, and a generated-code dependency would
// outweigh the forty lines below.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parkscope {

class ProtoWriter {
 public:
  // Field `field` as a varint (wire type 0). Zero is skipped: proto3 reads
  // an absent scalar as zero, and pprof's profiles do the same.
  void Varint(int field, uint64_t value);
  // int64 is encoded as its two's complement varint (not zigzag, which is
  // sint64), so a negative value takes ten bytes.
  void Int64(int field, int64_t value) { Varint(field, static_cast<uint64_t>(value)); }
  void Bool(int field, bool value) { Varint(field, value ? 1 : 0); }
  // A length-delimited field (wire type 2): a string, bytes, or an embedded
  // message already encoded. Written even when empty (string_table[0] is "").
  void Bytes(int field, std::string_view bytes);
  void Message(int field, const ProtoWriter& message) { Bytes(field, message.bytes()); }
  // A packed repeated varint field; nothing when values is empty.
  void PackedVarints(int field, const std::vector<uint64_t>& values);
  void PackedInt64s(int field, const std::vector<int64_t>& values);

  const std::string& bytes() const { return bytes_; }
  std::string Take() { return std::move(bytes_); }

 private:
  void RawVarint(uint64_t value);
  void Key(int field, int wire_type);

  std::string bytes_;
};

}  // namespace parkscope
