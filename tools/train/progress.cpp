// tools/train/progress.cpp — simdnn-train's progress lines, rates and durations (see
// progress.hpp). Everything here prints to stdout; errors go through cli::print_error instead.
#include "train/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace simdnn::cli::train {
namespace {

// "12.3 ms", "4.56 s".
void format_duration(double seconds, char (&out)[32]) {
  if (seconds < 1.0) {
    std::snprintf(out, sizeof out, "%.3g ms", seconds * 1e3);
  } else {
    std::snprintf(out, sizeof out, "%.3g s", seconds);
  }
}

}  // namespace

double seconds_between(clock_type::time_point from, clock_type::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

double rate_of(std::size_t samples, double seconds) {
  return static_cast<double>(samples) / std::max(seconds, 1e-9);
}

void format_rate(double rate, char (&out)[32]) {
  if (rate >= 1e9) {
    std::snprintf(out, sizeof out, "%.3gG", rate / 1e9);
  } else if (rate >= 1e6) {
    std::snprintf(out, sizeof out, "%.3gM", rate / 1e6);
  } else if (rate >= 1e3) {
    std::snprintf(out, sizeof out, "%.3gk", rate / 1e3);
  } else {
    std::snprintf(out, sizeof out, "%.3g", rate);
  }
}

double percent(std::size_t part, std::size_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

void print_time_line(double wall_seconds, double train_seconds, const char* rate) {
  char wall[32];
  char training[32];
  format_duration(wall_seconds, wall);
  format_duration(train_seconds, training);
  std::printf("time: %s wall (loading included), %s training, %s samples/s\n", wall, training,
              rate);
}

bool progress_display::due(std::size_t epoch, clock_type::time_point now) const noexcept {
  switch (style_) {
    case style::live:
      return epoch == epochs_ || now - last_draw_ >= std::chrono::milliseconds(100);
    case style::lines:
      return epoch % report_every_ == 0 || epoch == epochs_;
    case style::silent:
      return false;
  }
  return false;
}

void progress_display::show(std::size_t epoch, double loss, double accuracy_percent,
                            double samples_per_second, clock_type::time_point now) noexcept {
  char rate[32];
  format_rate(samples_per_second, rate);
  char line[160];
  std::snprintf(line, sizeof line, "epoch %*zu/%zu  %s %.6g  %s %6.2f%%  %s samples/s",
                epoch_digits_, epoch, epochs_, loss_name_, loss, accuracy_name_, accuracy_percent,
                rate);
  if (style_ == style::live) {
    // \x1b[K clears what a longer previous line left behind.
    std::fprintf(stdout, "\r%s\x1b[K", line);
    std::fflush(stdout);
    drawn_ = true;
  } else {
    std::fprintf(stdout, "%s\n", line);
  }
  last_draw_ = now;
}

void progress_display::finish() noexcept {
  if (drawn_) std::fputc('\n', stdout);
  drawn_ = false;
}

progress_display::style progress_style(const options& parsed) {
  if (parsed.quiet) return progress_display::style::silent;
  return isatty(fileno(stdout)) ? progress_display::style::live : progress_display::style::lines;
}

std::size_t report_interval(const options& parsed, std::size_t epochs) {
  return parsed.report_every != 0 ? parsed.report_every : std::max<std::size_t>(1, epochs / 20);
}

}  // namespace simdnn::cli::train
