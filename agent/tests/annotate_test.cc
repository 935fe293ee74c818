// User annotations: what a region shows, how regions nest with hooked waits
// and with each other, and that hooks running in a signal handler restore
// the wait they interrupted.
#include "parkscope/annotate.h"

#include <dlfcn.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include "agent_test_support.h"

namespace parkscope::agent_test {

// The annotation site the test looks for. noinline and outside the anonymous
// namespace, so the exported symbol lets dladdr name it.
__attribute__((noinline)) void AnnotateFromKnownSite(const void* object) {
  PARKSCOPE_WAIT_BEGIN("chan send", object);
  asm volatile("" ::: "memory");
}

namespace {

using namespace std::chrono_literals;

class AnnotateTest : public AgentTest {};

std::string Annotation(const parkscope_slot& slot) {
  return std::string(slot.annotation,
                     strnlen(slot.annotation, sizeof(slot.annotation)));
}

parkscope_slot OwnSlot() {
  std::optional<SlotCopy> found = FindSlot(CurrentTid());
  EXPECT_TRUE(found.has_value());
  return found ? found->slot : parkscope_slot{};
}

TEST_F(AnnotateTest, RegionShowsReasonObjectSinceAndSite) {
  ASSERT_TRUE(PARKSCOPE_AGENT_PRESENT());
  int channel = 0;
  const uint64_t before = MonotonicNs();
  AnnotateFromKnownSite(&channel);
  const uint64_t after = MonotonicNs();
  parkscope_slot slot = OwnSlot();
  PARKSCOPE_WAIT_END();
  EXPECT_EQ(slot.state, static_cast<uint32_t>(PARKSCOPE_SLOT_PARKED));
  EXPECT_EQ(slot.reason, static_cast<uint32_t>(PARKSCOPE_REASON_ANNOTATED));
  EXPECT_EQ(Annotation(slot), "chan send");
  EXPECT_EQ(slot.object, ObjectOf(&channel));
  EXPECT_GE(slot.since_ns, before);
  EXPECT_LE(slot.since_ns, after);
  Dl_info site;
  ASSERT_NE(dladdr(reinterpret_cast<void*>(slot.annotation_site - 1), &site),
            0);
  EXPECT_EQ(site.dli_saddr, reinterpret_cast<void*>(&AnnotateFromKnownSite));

  parkscope_slot after_end = OwnSlot();
  EXPECT_EQ(after_end.state, static_cast<uint32_t>(PARKSCOPE_SLOT_RUNNING));
  EXPECT_EQ(after_end.reason, static_cast<uint32_t>(PARKSCOPE_REASON_NONE));
}

TEST_F(AnnotateTest, CondWaitInsideRegionKeepsTheAnnotation) {
  std::mutex mutex;
  std::condition_variable cv;
  int channel = 0;
  int phase = 0;  // 0: wait annotated, 1: wait plain, 2: done
  std::atomic<bool> in_annotated_wait{false};
  ParkedThread sender([&] {
    std::unique_lock lock(mutex);
    {
      WaitAnnotation parked("chan send", &channel);
      in_annotated_wait.store(true);
      cv.wait(lock, [&] { return phase >= 1; });
    }
    cv.wait(lock, [&] { return phase >= 2; });
  });
  std::optional<SlotCopy> annotated =
      WaitForReason(sender.tid(), PARKSCOPE_REASON_ANNOTATED, 10s, "chan send");
  ASSERT_TRUE(annotated.has_value());
  EXPECT_EQ(annotated->slot.object, ObjectOf(&channel));
  while (!in_annotated_wait.load()) std::this_thread::yield();
  // Give the thread time to be inside pthread_cond_wait.
  std::this_thread::sleep_for(50ms);
  std::optional<SlotCopy> still = FindSlot(sender.tid());
  ASSERT_TRUE(still.has_value());
  EXPECT_EQ(still->slot.reason,
            static_cast<uint32_t>(PARKSCOPE_REASON_ANNOTATED));
  EXPECT_EQ(Annotation(still->slot), "chan send");
  EXPECT_EQ(still->slot.since_ns, annotated->slot.since_ns);

  {
    std::lock_guard hold(mutex);
    phase = 1;
  }
  cv.notify_all();
  // After the region, the plain wait is recorded as itself.
  std::optional<SlotCopy> plain =
      WaitForReason(sender.tid(), PARKSCOPE_REASON_COND_WAIT);
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->slot.object, ObjectOf(cv.native_handle()));
  EXPECT_EQ(Annotation(plain->slot), "");
  {
    std::lock_guard hold(mutex);
    phase = 2;
  }
  cv.notify_all();
}

TEST_F(AnnotateTest, NestedRegionsRestoreTheOuterOne) {
  int outer_object = 0;
  int inner_object = 0;
  {
    WaitAnnotation outer("worker idle", &outer_object);
    const parkscope_slot outer_slot = OwnSlot();
    EXPECT_EQ(Annotation(outer_slot), "worker idle");
    {
      WaitAnnotation inner("chan recv", &inner_object);
      const parkscope_slot inner_slot = OwnSlot();
      EXPECT_EQ(Annotation(inner_slot), "chan recv");
      EXPECT_EQ(inner_slot.object, ObjectOf(&inner_object));
    }
    const parkscope_slot restored = OwnSlot();
    EXPECT_EQ(Annotation(restored), "worker idle");
    EXPECT_EQ(restored.object, ObjectOf(&outer_object));
    EXPECT_EQ(restored.since_ns, outer_slot.since_ns);
    EXPECT_EQ(restored.annotation_site, outer_slot.annotation_site);
  }
  const parkscope_slot done = OwnSlot();
  EXPECT_EQ(done.state, static_cast<uint32_t>(PARKSCOPE_SLOT_RUNNING));
  EXPECT_EQ(Annotation(done), "");
}

TEST_F(AnnotateTest, DeepNestingLongTextAndStrayEndsAreHarmless) {
  PARKSCOPE_WAIT_END();  // no region: ignored
  const std::string long_reason(80, 'r');
  PARKSCOPE_WAIT_BEGIN(long_reason.c_str(), nullptr);
  EXPECT_EQ(Annotation(OwnSlot()), std::string(31, 'r'));
  for (int level = 1; level < 7; ++level) {
    PARKSCOPE_WAIT_BEGIN(("level " + std::to_string(level)).c_str(), nullptr);
  }
  // Four levels are recorded; deeper ones are counted only.
  EXPECT_EQ(Annotation(OwnSlot()), "level 3");
  for (int level = 6; level >= 1; --level) PARKSCOPE_WAIT_END();
  EXPECT_EQ(Annotation(OwnSlot()), std::string(31, 'r'));
  PARKSCOPE_WAIT_BEGIN(nullptr, nullptr);
  EXPECT_EQ(Annotation(OwnSlot()), "");
  EXPECT_EQ(OwnSlot().reason,
            static_cast<uint32_t>(PARKSCOPE_REASON_ANNOTATED));
  PARKSCOPE_WAIT_END();
  PARKSCOPE_WAIT_END();
  EXPECT_EQ(OwnSlot().state, static_cast<uint32_t>(PARKSCOPE_SLOT_RUNNING));
}

std::atomic<int> g_handler_phase{0};

void SleepingHandler(int) {
  g_handler_phase.store(1);
  timespec duration = {0, 300'000'000};
  nanosleep(&duration, nullptr);  // async-signal-safe, and hooked
  g_handler_phase.store(2);
}

TEST_F(AnnotateTest, WaitInSignalHandlerRestoresTheInterruptedWait) {
  struct sigaction action = {};
  action.sa_handler = SleepingHandler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  struct sigaction previous;
  ASSERT_EQ(sigaction(SIGUSR2, &action, &previous), 0);
  g_handler_phase.store(0);

  std::mutex mutex;
  std::condition_variable cv;
  bool ready = false;
  ParkedThread waiter([&] {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return ready; });
  });
  std::optional<SlotCopy> cond =
      WaitForReason(waiter.tid(), PARKSCOPE_REASON_COND_WAIT);
  ASSERT_TRUE(cond.has_value());
  pthread_kill(waiter.thread().native_handle(), SIGUSR2);
  EXPECT_TRUE(WaitForReason(waiter.tid(), PARKSCOPE_REASON_SLEEP).has_value());
  while (g_handler_phase.load() != 2) std::this_thread::sleep_for(1ms);
  // Back in pthread_cond_wait: the outer record, with its original start.
  std::optional<SlotCopy> restored =
      WaitForReason(waiter.tid(), PARKSCOPE_REASON_COND_WAIT);
  ASSERT_TRUE(restored.has_value());
  EXPECT_EQ(restored->slot.since_ns, cond->slot.since_ns);
  EXPECT_EQ(restored->slot.object, cond->slot.object);
  {
    std::lock_guard hold(mutex);
    ready = true;
  }
  cv.notify_all();
  waiter.Join();
  sigaction(SIGUSR2, &previous, nullptr);
}

}  // namespace
}  // namespace parkscope::agent_test
