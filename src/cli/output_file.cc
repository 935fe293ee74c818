#include "cli/output_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

namespace parkscope {

ReportOutput::ReportOutput(const std::string& path) : path_(path) {
  if (path.empty() || path == "-") return;
  temp_path_ = path + ".tmp." + std::to_string(getpid());
  file_.open(temp_path_, std::ios::out | std::ios::trunc);
  if (!file_) {
    error_ = "cannot write " + path + ": " + std::strerror(errno);
    temp_path_.clear();
  }
}

ReportOutput::~ReportOutput() {
  if (!temp_path_.empty() && !committed_) std::remove(temp_path_.c_str());
}

std::ostream& ReportOutput::stream() {
  if (temp_path_.empty()) return std::cout;
  return file_;
}

bool ReportOutput::Commit() {
  if (temp_path_.empty()) {
    std::cout.flush();
    return static_cast<bool>(std::cout);
  }
  file_.close();
  if (!file_ || std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    error_ = "cannot write " + path_ + ": " + std::strerror(errno);
    return false;
  }
  committed_ = true;
  return true;
}

}  // namespace parkscope
