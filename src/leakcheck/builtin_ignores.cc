#include "leakcheck/builtin_ignores.h"

namespace parkscope {

const std::vector<BuiltinIgnore>& BuiltinIgnores() {
  static const std::vector<BuiltinIgnore> kIgnores = {
      {"any", "timer_helper_thread",
       "glibc: the helper thread behind timer_create(SIGEV_THREAD), kept for "
       "every later timer"},
      {"any", "helper_thread",
       "glibc: the helper thread behind mq_notify(SIGEV_THREAD)"},
      {"any", "background_thread_entry",
       "jemalloc: background purge threads (opt.background_thread)"},
      {"any", "glib_worker_main", "GLib: the shared worker context thread"},
      {"any", "gdbus_shared_thread_func", "GLib/GIO: the GDBus worker thread"},
      {"any", "g_thread_pool_wait_for_new_pool",
       "GLib: idle thread-pool workers waiting for work"},
  };
  return kIgnores;
}

}  // namespace parkscope
