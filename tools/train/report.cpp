// tools/train/report.cpp — the metrics CSV and the learning-curve SVG (see report.hpp).
#include "train/report.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace simdnn::cli::train {

namespace {

// ---- files ---------------------------------------------------------------------------------

[[noreturn]] void io_failure(const std::filesystem::path& file, const char* what, int error) {
  if (error == 0) error = EIO;  // a stream that failed without saying why
  throw std::runtime_error(std::string(what) + " \"" + file.string() +
                           "\": " + std::system_category().message(error));
}

// Removes what a failed write left behind, if it is an ordinary file: /dev/full stays put.
void remove_partial(const std::filesystem::path& file) {
  std::error_code ignored;
  if (std::filesystem::is_regular_file(file, ignored)) std::filesystem::remove(file, ignored);
}

// The whole text, with every step that can fail checked: creating, writing, flushing, closing.
void write_text_file(const std::filesystem::path& file, std::string_view text) {
  errno = 0;
  std::FILE* out = std::fopen(file.c_str(), "wb");
  if (out == nullptr) io_failure(file, "cannot create", errno);
  errno = 0;
  const bool written =
      std::fwrite(text.data(), 1, text.size(), out) == text.size() && std::fflush(out) == 0;
  if (!written) {
    const int error = errno;
    std::fclose(out);
    remove_partial(file);
    io_failure(file, "cannot write", error);
  }
  errno = 0;
  if (std::fclose(out) != 0) {
    const int error = errno;
    remove_partial(file);
    io_failure(file, "cannot close", error);
  }
}

// ---- numbers as text -----------------------------------------------------------------------

// The shortest text that reads back (strtod) to the same double; nan, inf, -inf otherwise.
void append_number(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "nan";
    return;
  }
  std::array<char, 64> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  out.append(buffer.data(), result.ptr);
}

std::string number_text(double value) {
  std::string text;
  append_number(text, value);
  return text;
}

// A pixel coordinate, two decimals: the same bytes for the same history, whatever the locale.
void append_coordinate(std::string& out, double value) {
  std::array<char, 64> buffer{};
  if (value == 0.0) value = 0.0;  // no "-0.00"
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                    std::chars_format::fixed, 2);
  out.append(buffer.data(), result.ptr);
}

// ---- XML -----------------------------------------------------------------------------------

// Text for element content and attribute values: markup characters escaped, control characters
// (which XML 1.0 forbids, and a one-line title does not want) as spaces, bytes that are not UTF-8
// and the non-characters U+FFFE/U+FFFF as U+FFFD.
std::string xml_escaped(std::string_view text) {
  static constexpr std::string_view replacement = "\xEF\xBF\xBD";
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      switch (byte) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&apos;";
          break;
        default:
          out += byte < 0x20 ? ' ' : static_cast<char>(byte);
      }
      ++i;
      continue;
    }
    // The length a lead byte announces and the range of the byte after it (RFC 3629's table: no
    // overlong forms, no surrogates, nothing past U+10FFFF).
    std::size_t length = 0;
    unsigned char second_low = 0x80;
    unsigned char second_high = 0xBF;
    if (byte >= 0xC2 && byte <= 0xDF) {
      length = 2;
    } else if (byte >= 0xE0 && byte <= 0xEF) {
      length = 3;
      if (byte == 0xE0) second_low = 0xA0;
      if (byte == 0xED) second_high = 0x9F;
    } else if (byte >= 0xF0 && byte <= 0xF4) {
      length = 4;
      if (byte == 0xF0) second_low = 0x90;
      if (byte == 0xF4) second_high = 0x8F;
    }
    bool valid = length != 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      const unsigned char low = k == 1 ? second_low : 0x80;
      const unsigned char high = k == 1 ? second_high : 0xBF;
      valid = next >= low && next <= high;
    }
    const std::string_view sequence = text.substr(i, valid ? length : 1);
    if (!valid || sequence == "\xEF\xBF\xBE" || sequence == "\xEF\xBF\xBF") {
      out += replacement;
    } else {
      out += sequence;
    }
    i += sequence.size();
  }
  return out;
}

// ---- axes ----------------------------------------------------------------------------------

struct tick {
  double value;
  std::string label;  // empty: a minor tick
};

struct axis {
  double low = 0.0;
  double high = 1.0;
  bool logarithmic = false;
  std::vector<tick> ticks;

  // Where `value` falls, from 0 (low) to 1 (high).
  [[nodiscard]] double fraction(double value) const {
    if (logarithmic) {
      return (std::log10(value) - std::log10(low)) / (std::log10(high) - std::log10(low));
    }
    return (value - low) / (high - low);
  }
};

double power_of_ten(int exponent) {
  // Division by an exact power for negative exponents: 3 * 0.1 is not 0.3, 3 / 10 is.
  return exponent >= 0 ? std::pow(10.0, exponent) : 1.0 / std::pow(10.0, -exponent);
}

// A tick value as people write it: fixed-point with as many decimals as the step has, or
// scientific for the very large and very small.
std::string tick_label(double value, int step_exponent) {
  if (value == 0.0) return "0";
  const double magnitude = std::fabs(value);
  std::array<char, 64> buffer{};
  std::to_chars_result result{};
  if (magnitude >= 1e-4 && magnitude < 1e6) {
    result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                           std::chars_format::fixed, std::max(0, -step_exponent));
  } else {
    result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                           std::chars_format::scientific);
  }
  return {buffer.data(), result.ptr};
}

// A linear axis covering [low, high] with ticks at multiples of a 1-2-5 step, about `target`
// of them; `min_step` keeps epochs at whole numbers. A zero-width range is widened around it.
axis linear_axis(double low, double high, int target, double min_step) {
  if (!(high > low)) {
    const double pad = low == 0.0 ? 1.0 : std::fabs(low) * 0.1;
    low -= pad;
    high += pad;
  }
  const double raw = (high - low) / target;
  int exponent = static_cast<int>(std::floor(std::log10(raw)));
  const double scaled = raw / power_of_ten(exponent);
  int mantissa = scaled <= 1.0 ? 1 : scaled <= 2.0 ? 2 : scaled <= 5.0 ? 5 : 10;
  if (mantissa == 10) {
    mantissa = 1;
    ++exponent;
  }
  double step = mantissa * power_of_ten(exponent);
  if (step < min_step) {
    step = min_step;
    mantissa = static_cast<int>(min_step);
    exponent = 0;
  }
  const auto first = static_cast<long long>(std::floor(low / step + 1e-9));
  const auto last = static_cast<long long>(std::ceil(high / step - 1e-9));
  axis result;
  for (long long k = first; k <= last; ++k) {
    // k * mantissa is exact; one multiplication or division by a power of ten rounds once.
    const auto units = static_cast<double>(k * mantissa);
    const double value =
        exponent >= 0 ? units * power_of_ten(exponent) : units / power_of_ten(-exponent);
    result.ticks.push_back({value, tick_label(value, exponent)});
  }
  result.low = result.ticks.front().value;
  result.high = result.ticks.back().value;
  return result;
}

// A log10 axis over whole decades covering [low, high] (both positive): labelled ticks at powers
// of ten (every other one, or sparser, when there are many), minor ticks at 2..9 times them when
// there are few.
axis log_axis(double low, double high) {
  const int first = static_cast<int>(std::floor(std::log10(low)));
  int last = static_cast<int>(std::ceil(std::log10(high)));
  if (last == first) ++last;
  const int decades = last - first;
  const int label_every = (decades + 6) / 7;
  axis result;
  result.logarithmic = true;
  result.low = power_of_ten(first);
  result.high = power_of_ten(last);
  for (int d = first; d <= last; ++d) {
    const double value = power_of_ten(d);
    const bool labelled = (d - first) % label_every == 0;
    const bool plain = d >= -4 && d < 6;
    std::string label;
    if (labelled) label = plain ? tick_label(value, d) : "1e" + std::to_string(d);
    result.ticks.push_back({value, label});
    if (d == last || decades > 6) continue;
    for (int m = 2; m <= 9; ++m) result.ticks.push_back({m * value, std::string()});
  }
  return result;
}

// ---- series --------------------------------------------------------------------------------

struct point {
  std::size_t epoch;
  double value;  // as in epoch_metrics
};

struct series {
  const char* id;     // data-series
  const char* label;  // in the legend
  const char* colour;
  const char* dash;  // stroke-dasharray, or empty
  double scale;      // plotted value = value * scale (accuracy in percent)
  std::vector<point> points;
};

// The finite values of one field, for the epochs that have it.
template <class Field>
std::vector<point> collect(std::span<const simdnn::epoch_metrics> history, bool validation,
                           Field field) {
  std::vector<point> points;
  for (const simdnn::epoch_metrics& m : history) {
    if (validation && !m.has_validation) continue;
    const double value = field(m);
    if (std::isfinite(value)) points.push_back({m.epoch, value});
  }
  return points;
}

constexpr const char* train_colour = "#1f77b4";
constexpr const char* validation_colour = "#d62728";
constexpr const char* validation_dash = "6 4";

// ---- drawing -------------------------------------------------------------------------------

constexpr int panel_width = 480;
constexpr int picture_height = 400;
constexpr double plot_left = 70.0;  // within a panel
constexpr double plot_right = 460.0;
constexpr double plot_top = 66.0;
constexpr double plot_bottom = 336.0;

class svg_writer {
 public:
  std::string text;

  void raw(std::string_view s) { text += s; }
  void number(double value) { append_coordinate(text, value); }
  void attribute(const char* name, double value) {
    text += ' ';
    text += name;
    text += "=\"";
    number(value);
    text += '"';
  }
  void attribute(const char* name, std::string_view value) {
    text += ' ';
    text += name;
    text += "=\"";
    text += value;
    text += '"';
  }
  void line(double x1, double y1, double x2, double y2, std::string_view extra) {
    raw("<line");
    attribute("x1", x1);
    attribute("y1", y1);
    attribute("x2", x2);
    attribute("y2", y2);
    raw(extra);
    raw("/>\n");
  }
  // `content` is already escaped.
  void label(double x, double y, std::string_view attributes, std::string_view content) {
    raw("<text");
    attribute("x", x);
    attribute("y", y);
    raw(attributes);
    raw(">");
    raw(content);
    raw("</text>\n");
  }
};

void draw_panel(svg_writer& svg, double x0, const char* id, const axis& x, const axis& y,
                std::string_view y_label, const std::vector<const series*>& drawn) {
  const double left = x0 + plot_left;
  const double right = x0 + plot_right;
  const auto px = [&](double epoch) { return left + x.fraction(epoch) * (right - left); };
  const auto py = [&](double value) {
    return plot_bottom - y.fraction(value) * (plot_bottom - plot_top);
  };

  svg.raw("<g class=\"panel\"");
  svg.attribute("id", id);
  svg.attribute("data-scale", y.logarithmic ? "log" : "linear");
  svg.raw(">\n");

  // Grid lines behind everything, at the labelled ticks.
  svg.raw("<g class=\"grid\" stroke=\"#e6e6e6\" stroke-width=\"1\">\n");
  for (const tick& t : x.ticks) svg.line(px(t.value), plot_top, px(t.value), plot_bottom, "");
  for (const tick& t : y.ticks) {
    if (!t.label.empty()) svg.line(left, py(t.value), right, py(t.value), "");
  }
  svg.raw("</g>\n");

  svg.raw("<g class=\"axis x-axis\" stroke=\"#333333\" fill=\"#333333\">\n");
  svg.line(left, plot_bottom, right, plot_bottom, "");
  for (const tick& t : x.ticks) {
    svg.raw("<g class=\"tick\"");
    svg.attribute("data-value", number_text(t.value));
    svg.raw(">");
    svg.line(px(t.value), plot_bottom, px(t.value), plot_bottom + 5, "");
    svg.label(px(t.value), plot_bottom + 19,
              " class=\"tick-label\" stroke=\"none\" text-anchor=\"middle\"", t.label);
    svg.raw("</g>\n");
  }
  svg.label((left + right) / 2, plot_bottom + 44,
            " class=\"axis-label\" stroke=\"none\" text-anchor=\"middle\" font-size=\"13\"",
            "epoch");
  svg.raw("</g>\n");

  svg.raw("<g class=\"axis y-axis\" stroke=\"#333333\" fill=\"#333333\">\n");
  svg.line(left, plot_top, left, plot_bottom, "");
  for (const tick& t : y.ticks) {
    const bool minor = t.label.empty();
    svg.raw(minor ? "<g class=\"tick minor\"" : "<g class=\"tick\"");
    svg.attribute("data-value", number_text(t.value));
    svg.raw(">");
    svg.line(left - (minor ? 3 : 5), py(t.value), left, py(t.value), "");
    if (!minor) {
      svg.label(left - 8, py(t.value) + 4,
                " class=\"tick-label\" stroke=\"none\" text-anchor=\"end\"", t.label);
    }
    svg.raw("</g>\n");
  }
  const double label_x = x0 + 18;
  const double label_y = (plot_top + plot_bottom) / 2;
  std::string rotate =
      " class=\"axis-label\" stroke=\"none\" text-anchor=\"middle\" "
      "font-size=\"13\" transform=\"rotate(-90 ";
  append_coordinate(rotate, label_x);
  rotate += ' ';
  append_coordinate(rotate, label_y);
  rotate += ")\"";
  svg.label(label_x, label_y, rotate, y_label);
  svg.raw("</g>\n");

  for (const series* s : drawn) {
    // Markers stay solid: a dashed circle of radius 4 reads as a broken one.
    const auto style = [&](std::string_view fill, bool dashed) {
      svg.attribute("data-series", s->id);
      svg.raw(fill);
      svg.attribute("stroke", s->colour);
      svg.raw(" stroke-width=\"2\"");
      if (dashed && *s->dash != '\0') svg.attribute("stroke-dasharray", s->dash);
    };
    std::string epochs;
    std::string values;
    std::string points;
    for (const point& p : s->points) {
      if (!epochs.empty()) {
        epochs += ' ';
        values += ' ';
        points += ' ';
      }
      epochs += std::to_string(p.epoch);
      append_number(values, p.value);
      append_coordinate(points, px(static_cast<double>(p.epoch)));
      points += ',';
      append_coordinate(points, py(p.value * s->scale));
    }
    svg.raw("<polyline class=\"series\"");
    style(" fill=\"none\" stroke-linejoin=\"round\"", true);
    svg.attribute("data-epochs", epochs);
    svg.attribute("data-values", values);
    svg.attribute("points", points);
    svg.raw("/>\n");
    if (s->points.size() == 1) {
      const point& p = s->points.front();
      svg.raw("<circle class=\"marker\"");
      svg.attribute("cx", px(static_cast<double>(p.epoch)));
      svg.attribute("cy", py(p.value * s->scale));
      svg.raw(" r=\"4\"");
      style(" fill=\"white\"", false);
      svg.raw("/>\n");
    }
  }

  svg.raw("<g class=\"legend\" font-size=\"12\">\n");
  double entry_x = left;
  for (const series* s : drawn) {
    svg.raw("<g class=\"legend-entry\"");
    svg.attribute("data-series", s->id);
    svg.raw(">");
    std::string stroke = " stroke=\"";
    stroke += s->colour;
    stroke += "\" stroke-width=\"2\"";
    if (*s->dash != '\0') stroke += std::string(" stroke-dasharray=\"") + s->dash + '"';
    svg.line(entry_x, plot_top - 14, entry_x + 26, plot_top - 14, stroke);
    svg.label(entry_x + 32, plot_top - 10, " fill=\"#333333\"", s->label);
    svg.raw("</g>\n");
    entry_x += 120;
  }
  svg.raw("</g>\n");
  svg.raw("</g>\n");
}

std::string learning_curve_svg(std::span<const simdnn::epoch_metrics> history,
                               const std::string& title) {
  using m = simdnn::epoch_metrics;
  const std::array<series, 4> all{{
      {"train_loss", "train", train_colour, "", 1.0,
       collect(history, false, [](const m& e) { return e.train_loss; })},
      {"validation_loss", "validation", validation_colour, validation_dash, 1.0,
       collect(history, true, [](const m& e) { return e.validation_loss; })},
      {"train_accuracy", "train", train_colour, "", 100.0,
       collect(history, false, [](const m& e) { return e.train_accuracy; })},
      {"validation_accuracy", "validation", validation_colour, validation_dash, 100.0,
       collect(history, true, [](const m& e) { return e.validation_accuracy; })},
  }};
  std::vector<const series*> losses;
  std::vector<const series*> accuracies;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].points.empty()) continue;
    (i < 2 ? losses : accuracies).push_back(&all[i]);
  }

  // Ranges over what is drawn; defaults for an empty picture.
  const auto range = [](const std::vector<const series*>& drawn, auto key, double fallback_low,
                        double fallback_high) {
    double low = std::numeric_limits<double>::infinity();
    double high = -low;
    for (const series* s : drawn) {
      for (const point& p : s->points) {
        low = std::min(low, key(*s, p));
        high = std::max(high, key(*s, p));
      }
    }
    return low <= high ? std::pair{low, high} : std::pair{fallback_low, fallback_high};
  };
  const auto epoch_of = [](const series&, const point& p) { return static_cast<double>(p.epoch); };
  const auto value_of = [](const series& s, const point& p) { return p.value * s.scale; };

  std::vector<const series*> everything = losses;
  everything.insert(everything.end(), accuracies.begin(), accuracies.end());
  const auto [first_epoch, last_epoch] = range(everything, epoch_of, 1.0, 1.0);
  const axis x = linear_axis(first_epoch, last_epoch, 6, 1.0);

  const auto [loss_low, loss_high] = range(losses, value_of, 0.0, 1.0);
  const bool log_loss = loss_low > 0.0 && loss_high / loss_low > 100.0;
  const axis loss_axis =
      log_loss ? log_axis(loss_low, loss_high) : linear_axis(loss_low, loss_high, 5, 0.0);

  const int panels = accuracies.empty() ? 1 : 2;
  const int width = panels * panel_width;
  const std::string escaped_title = xml_escaped(title);

  svg_writer svg;
  svg.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  svg.raw("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\"");
  svg.attribute("width", std::to_string(width));
  svg.attribute("height", std::to_string(picture_height));
  svg.attribute("viewBox", "0 0 " + std::to_string(width) + " " + std::to_string(picture_height));
  svg.raw(" font-family=\"sans-serif\" font-size=\"12\">\n");
  svg.raw("<title>");
  svg.raw(escaped_title);
  svg.raw("</title>\n");
  svg.raw("<rect class=\"background\" x=\"0\" y=\"0\"");
  svg.attribute("width", std::to_string(width));
  svg.attribute("height", std::to_string(picture_height));
  svg.raw(" fill=\"white\"/>\n");
  svg.label(width / 2.0, 26,
            " class=\"title\" text-anchor=\"middle\" font-size=\"16\" fill=\"#111111\"",
            escaped_title);

  draw_panel(svg, 0.0, "loss-panel", x, loss_axis, log_loss ? "loss (log scale)" : "loss", losses);
  if (!accuracies.empty()) {
    auto [low, high] = range(accuracies, value_of, 0.0, 100.0);
    axis accuracy_axis = linear_axis(low, high, 5, 0.0);
    // Percentages: no ticks outside [0, 100].
    std::erase_if(accuracy_axis.ticks,
                  [](const tick& t) { return t.value < -1e-9 || t.value > 100.0 + 1e-9; });
    accuracy_axis.low = accuracy_axis.ticks.front().value;
    accuracy_axis.high = accuracy_axis.ticks.back().value;
    draw_panel(svg, panel_width, "accuracy-panel", x, accuracy_axis, "accuracy (%)", accuracies);
  }
  svg.raw("</svg>\n");
  return std::move(svg.text);
}

}  // namespace

void write_metrics_csv(const std::filesystem::path& file,
                       std::span<const simdnn::epoch_metrics> history) {
  std::string text =
      "epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,seconds,"
      "samples_per_second\n";
  // An accuracy that is NaN does not exist (no labels): an empty field.
  const auto accuracy = [&text](double value) {
    if (!std::isnan(value)) append_number(text, value);
  };
  for (const simdnn::epoch_metrics& m : history) {
    text += std::to_string(m.epoch);
    text += ',';
    append_number(text, m.train_loss);
    text += ',';
    accuracy(m.train_accuracy);
    text += ',';
    if (m.has_validation) append_number(text, m.validation_loss);
    text += ',';
    if (m.has_validation) accuracy(m.validation_accuracy);
    text += ',';
    append_number(text, m.seconds);
    text += ',';
    append_number(text, m.samples_per_second);
    text += '\n';
  }
  write_text_file(file, text);
}

void write_learning_curve_svg(const std::filesystem::path& file,
                              std::span<const simdnn::epoch_metrics> history,
                              const std::string& title) {
  write_text_file(file, learning_curve_svg(history, title));
}

}  // namespace simdnn::cli::train
