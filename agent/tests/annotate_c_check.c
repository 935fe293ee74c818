/* The public headers are C: this file compiles them as C11 with warnings
 * as errors and uses the annotation wrappers without the agent. */
#include <stdio.h>

#include "parkscope/annotate.h"
#include "parkscope/registry_abi.h"

int main(void) {
  static int channel;
  PARKSCOPE_WAIT_BEGIN("chan send", &channel);
  PARKSCOPE_WAIT_END();
  PARKSCOPE_TEST_BEGIN("CCheck");
  PARKSCOPE_TEST_END("CCheck");
  if (parkscope_reason_name(PARKSCOPE_REASON_IO_WAIT) == NULL) return 1;
  printf("agent %s; slot is %zu bytes\n",
         PARKSCOPE_AGENT_PRESENT() ? "present" : "absent",
         sizeof(struct parkscope_slot));
  return 0;
}
