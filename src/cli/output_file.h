// Where a report goes: stdout, or a file that is replaced only once the
// report is complete, so a failed run never truncates an earlier report.
#pragma once

#include <fstream>
#include <ostream>
#include <string>

namespace parkscope {

class ReportOutput {
 public:
  // Opens "-"/"" as stdout, else PATH.tmp.PID beside PATH. On failure
  // error() says why in one line.
  explicit ReportOutput(const std::string& path);
  ~ReportOutput();  // removes the temporary file unless Commit ran

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::ostream& stream();
  // Flushes and renames the temporary file over PATH.
  bool Commit();

 private:
  std::string path_;
  std::string temp_path_;
  std::ofstream file_;
  std::string error_;
  bool committed_ = false;
};

}  // namespace parkscope
