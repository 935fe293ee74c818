// A program that uses the annotation API but is neither linked with nor
// (in one of its two ctest runs) preloaded with the agent. It must run
// normally either way; with the agent preloaded its annotations must reach
// the registry. Exit 0 on success, 1 with a message otherwise.
#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "parkscope/annotate.h"
#include "parkscope/registry_abi.h"

namespace {

// Our own slot's annotation text, or nullptr if there is no registry.
const char* OwnAnnotation() {
  auto* header = static_cast<const parkscope_registry_header*>(
      dlsym(RTLD_DEFAULT, PARKSCOPE_REGISTRY_SYMBOL));
  if (header == nullptr || header->magic != PARKSCOPE_REGISTRY_MAGIC)
    return nullptr;
  auto* slots = reinterpret_cast<const parkscope_slot*>(header->slots_address);
  for (uint32_t i = 0; i < header->high_water; ++i) {
    if (slots[i].tid == gettid() &&
        slots[i].reason == PARKSCOPE_REASON_ANNOTATED) {
      return slots[i].annotation;
    }
  }
  return "";
}

int Fail(const char* message) {
  std::fprintf(stderr, "annotate_without_agent: %s\n", message);
  return 1;
}

}  // namespace

int main() {
  const bool expect_agent = std::getenv("PARKSCOPE_EXPECT_AGENT") != nullptr;
  if (static_cast<bool>(PARKSCOPE_AGENT_PRESENT()) != expect_agent) {
    return Fail(expect_agent ? "agent expected but its symbols are null"
                             : "agent symbols resolved without the agent");
  }
  int channel = 0;
  PARKSCOPE_WAIT_BEGIN("chan send", &channel);
  const char* seen = OwnAnnotation();
  if (expect_agent && (seen == nullptr || std::strcmp(seen, "chan send") != 0))
    return Fail("the annotation did not reach the registry");
  if (!expect_agent && seen != nullptr)
    return Fail("a registry exists without the agent");
  PARKSCOPE_WAIT_END();
  {
    parkscope::WaitAnnotation parked("chan recv", &channel);
    parkscope::TestAnnotation test("AnnotateWithoutAgent.Main");
  }
  PARKSCOPE_TEST_BEGIN("AnnotateWithoutAgent.Main");
  PARKSCOPE_TEST_END("AnnotateWithoutAgent.Main");
  std::printf("annotations ran with the agent %s\n",
              expect_agent ? "preloaded" : "absent");
  return 0;
}
