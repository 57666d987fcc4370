// tools/train/progress.hpp — what simdnn-train shows while and after it trains: the progress
// display, samples per second, durations. Both training modes report the same way, so the
// formatting lives once, apart from the loops that feed it.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "train/options.hpp"

namespace simdnn::cli::train {

using clock_type = std::chrono::steady_clock;

double seconds_between(clock_type::time_point from, clock_type::time_point to);

// Samples per second; a clock too coarse to see any time pass must not divide by zero.
double rate_of(std::size_t samples, double seconds);

// "612.3k", "1.24M": rates span many decades, three significant digits are plenty.
void format_rate(double rate, char (&out)[32]);

// 0 for an empty whole: an empty test split reads 0%, not NaN.
double percent(std::size_t part, std::size_t whole);

// "time: <wall> wall (loading included), <training> training, <rate> samples/s".
void print_time_line(double wall_seconds, double train_seconds, const char* rate);

// Progress during training: one line redrawn in place on a terminal (at most ~10 times a
// second, so drawing never slows training down), plain lines every N epochs into a pipe or file
// (a log then shows the run without carriage-return noise), or nothing.
class progress_display {
 public:
  enum class style { live, lines, silent };

  progress_display(style how, std::size_t report_every, std::size_t epochs, const char* loss_name,
                   const char* accuracy_name)
      : style_(how),
        report_every_(report_every),
        epochs_(epochs),
        epoch_digits_(static_cast<int>(std::to_string(epochs).size())),
        loss_name_(loss_name),
        accuracy_name_(accuracy_name) {}

  // Whether `epoch`, ending at `now`, gets a progress line (and so an evaluation to show in it).
  [[nodiscard]] bool due(std::size_t epoch, clock_type::time_point now) const noexcept;

  // Formats into a fixed buffer: reporting inside the epoch loop allocates nothing.
  void show(std::size_t epoch, double loss, double accuracy_percent, double samples_per_second,
            clock_type::time_point now) noexcept;

  // Ends the live line so the summary starts on a fresh one.
  void finish() noexcept;

 private:
  style style_;
  std::size_t report_every_;
  std::size_t epochs_;
  int epoch_digits_;
  const char* loss_name_;
  const char* accuracy_name_;
  clock_type::time_point last_draw_{};
  bool drawn_ = false;
};

// Live on a terminal, plain lines into a pipe or file, nothing with --quiet.
progress_display::style progress_style(const options& parsed);

// Epochs between progress lines: --report-every, else a twentieth of the run.
std::size_t report_interval(const options& parsed, std::size_t epochs);

}  // namespace simdnn::cli::train
