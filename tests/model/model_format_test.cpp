// tests/model/model_format_test.cpp — model files: the CRC, bit-exact round trips, atomic saving,
// and the hardening the loader promises: every truncation and every single-bit flip is rejected,
// and each crafted malformation (checksum correct, so the specific check must fire) gets its own
// error code.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "model/model_test_support.hpp"
#include "simdnn/model.hpp"
#include "simdnn/network.hpp"

namespace simdnn {
namespace {

using testing::at_byte_order;
using testing::at_class_count;
using testing::at_file_size;
using testing::at_flags;
using testing::at_layer;
using testing::at_layer_count;
using testing::at_layer_v1;
using testing::at_name_bytes;
using testing::at_version;
using testing::bytes;
using testing::full_model;
using testing::get_u32;
using testing::put_f32;
using testing::put_u32;
using testing::put_u64;
using testing::reseal;

std::vector<std::byte> as_bytes(std::string_view text) {
  std::vector<std::byte> out;
  for (char c : text) out.push_back(static_cast<std::byte>(c));
  return out;
}

// The code parse_model rejects `file` with; fails the test if it is accepted.
model_error_code rejection(const bytes& file) {
  try {
    static_cast<void>(parse_model(file, "crafted"));
  } catch (const model_error& e) {
    return e.code();
  }
  ADD_FAILURE() << "accepted a malformed file";
  return model_error_code::io_error;
}

std::string rejection_message(const bytes& file) {
  try {
    static_cast<void>(parse_model(file, "crafted.simdnn"));
  } catch (const model_error& e) {
    return e.what();
  }
  return "accepted";
}

// memcmp of the bytes; empty spans compare equal without handing memcmp a null pointer.
bool same_bits(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size_bytes()) == 0);
}

void expect_same_model(const model& a, const model& b) {
  ASSERT_EQ(a.layer_count(), b.layer_count());
  EXPECT_TRUE(std::equal(a.widths().begin(), a.widths().end(), b.widths().begin()));
  EXPECT_EQ(a.has_bias(), b.has_bias());
  for (std::size_t l = 0; l < a.layer_count(); ++l) {
    EXPECT_EQ(a.layer_activation(l), b.layer_activation(l));
    const float pa = a.layer_activation_parameter(l), pb = b.layer_activation_parameter(l);
    EXPECT_TRUE(same_bits(std::span(&pa, 1), std::span(&pb, 1))) << "layer " << l;
    EXPECT_TRUE(same_bits(a.weights(l), b.weights(l))) << "layer " << l;
    EXPECT_TRUE(same_bits(a.biases(l), b.biases(l))) << "layer " << l;
  }
  EXPECT_TRUE(same_bits(a.input_mean(), b.input_mean()));
  EXPECT_TRUE(same_bits(a.input_stddev(), b.input_stddev()));
  EXPECT_TRUE(std::equal(a.class_names().begin(), a.class_names().end(), b.class_names().begin(),
                         b.class_names().end()));
}

// ---- CRC-32C --------------------------------------------------------------------------------

TEST(Crc32c, KnownAnswers) {
  EXPECT_EQ(crc32c(as_bytes("")), 0u);
  EXPECT_EQ(crc32c(as_bytes("123456789")), 0xE3069283u);  // the standard check value
  // RFC 3720 (iSCSI) B.4: 32 bytes of zeros.
  EXPECT_EQ(crc32c(std::vector<std::byte>(32, std::byte{0})), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::vector<std::byte>(32, std::byte{0xFF})), 0x62A8AB43u);
}

TEST(Crc32c, ContinuesAcrossPieces) {
  const auto text = as_bytes("The quick brown fox jumps over the lazy dog");
  const std::span<const std::byte> all(text);
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    EXPECT_EQ(crc32c(all.subspan(cut), crc32c(all.first(cut))), crc32c(all));
  }
}

// ---- Round trips ----------------------------------------------------------------------------

TEST(ModelRoundTrip, BitwiseInMemory) {
  const model original = full_model();
  const bytes file = serialize_model(original);
  const model back = parse_model(file);
  expect_same_model(original, back);
  EXPECT_EQ(serialize_model(back), file);
  ASSERT_TRUE(back.file_info().has_value());
  EXPECT_EQ(back.file_info()->format_version, model_format_version);
  EXPECT_EQ(back.file_info()->file_bytes, file.size());
  EXPECT_EQ(back.file_info()->checksum, get_u32(file, file.size() - 4));
  EXPECT_FALSE(original.file_info().has_value());
}

TEST(ModelRoundTrip, MinimalModel) {
  model_parameters p;
  p.widths = {1, 1};
  p.activations = {activation::identity};
  p.bias = false;
  p.weights = {{0.5f}};
  p.biases = {{}};
  const model original(p);
  const bytes file = serialize_model(original);
  EXPECT_EQ(file.size(), 40u + 16 + 4 + 4);
  expect_same_model(original, parse_model(file));
}

TEST(ModelRoundTrip, HeaderLayoutIsTheDocumentedOne) {
  const bytes file = serialize_model(full_model());
  const unsigned char magic[8] = {0x89, 's', 'i', 'm', 'd', 'n', 'n', '\n'};
  EXPECT_EQ(std::memcmp(file.data(), magic, 8), 0);
  EXPECT_EQ(get_u32(file, at_version), 2u);
  EXPECT_EQ(std::to_integer<int>(file[at_byte_order]), 0x04);  // little-endian 0x01020304
  EXPECT_EQ(get_u32(file, at_file_size), file.size());
  EXPECT_EQ(get_u32(file, at_layer_count), 2u);
  EXPECT_EQ(get_u32(file, at_flags), 7u);
  EXPECT_EQ(get_u32(file, at_class_count), 3u);
  EXPECT_EQ(get_u32(file, at_name_bytes), 25u);
  EXPECT_EQ(get_u32(file, at_layer(0)), 4u);
  EXPECT_EQ(get_u32(file, at_layer(0) + 4), 10u);
  EXPECT_EQ(get_u32(file, at_layer(0) + 8), 1u);   // sigmoid
  EXPECT_EQ(get_u32(file, at_layer(0) + 12), 0u);  // its parameter: 0.0f
  EXPECT_EQ(get_u32(file, at_layer(1)), 10u);
  EXPECT_EQ(get_u32(file, at_layer(1) + 4), 3u);
  EXPECT_EQ(get_u32(file, at_layer(1) + 8), 2u);  // identity
  EXPECT_EQ(get_u32(file, at_layer(1) + 12), 0u);
  EXPECT_EQ(file.size() % 4, 0u);
  // header 40 + records 2 x 16 + statistics 32 + parameters (50 + 33) * 4 + names 12 + 25 + pad 3
  // + checksum 4
  EXPECT_EQ(file.size(), 40u + 32 + 32 + 332 + 12 + 25 + 3 + 4);
}

// One layer of each activation, leaky_relu with slope 0.2 and softmax last: every code and
// parameter travels bit for bit, in the documented record fields.
model every_activation_model() {
  model_parameters p;
  p.widths = {3, 5, 4, 6, 5, 4, 3, 2};
  p.activations = {activation::sigmoid, activation::identity, activation::sigmoid_fast,
                   activation::tanh,    activation::relu,     activation::leaky_relu,
                   activation::softmax};
  p.activation_parameters = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.2f, 0.0f};
  testing::test_rng rng(12);
  for (std::size_t l = 0; l + 1 < p.widths.size(); ++l) {
    std::vector<float> w(p.widths[l] * p.widths[l + 1]);
    for (float& v : w) v = rng.uniform(-1.0f, 1.0f);
    std::vector<float> b(p.widths[l + 1]);
    for (float& v : b) v = rng.uniform(-0.5f, 0.5f);
    p.weights.push_back(w);
    p.biases.push_back(b);
  }
  return model(std::move(p));
}

TEST(ModelRoundTrip, EveryActivationAndItsParameter) {
  const model original = every_activation_model();
  const bytes file = serialize_model(original);
  const std::uint32_t codes[] = {1, 2, 3, 4, 5, 6, 7};
  for (std::size_t l = 0; l < original.layer_count(); ++l) {
    EXPECT_EQ(get_u32(file, at_layer(l)), original.widths()[l]) << "layer " << l;
    EXPECT_EQ(get_u32(file, at_layer(l) + 4), original.widths()[l + 1]) << "layer " << l;
    EXPECT_EQ(get_u32(file, at_layer(l) + 8), codes[l]) << "layer " << l;
    EXPECT_EQ(get_u32(file, at_layer(l) + 12),
              std::bit_cast<std::uint32_t>(original.layer_activation_parameter(l)))
        << "layer " << l;
  }
  EXPECT_EQ(get_u32(file, at_layer(5) + 12), std::bit_cast<std::uint32_t>(0.2f));
  const model back = parse_model(file);
  expect_same_model(original, back);
  EXPECT_EQ(back.layer_activation(5), activation::leaky_relu);
  EXPECT_EQ(back.layer_activation_parameter(5), 0.2f);
  EXPECT_EQ(back.layer_activation(6), activation::softmax);
  EXPECT_EQ(serialize_model(back), file);
}

// No parameters given: leaky_relu's default slope is what the file records and gives back; so are
// a slope of 0 (relu's shape) and a large one.
TEST(ModelRoundTrip, LeakyReluSlopes) {
  for (const float slope : {-1.0f, 0.0f, 0.01f, 0.2f, 1.0f, 1e30f}) {
    model_parameters p =
        testing::random_model({2, 3, 2}, {activation::leaky_relu, activation::softmax}, true, 4)
            .parameters();
    if (slope >= 0.0f) {
      p.activation_parameters = {slope, 0.0f};
    } else {
      p.activation_parameters.clear();  // the default
    }
    const model original(std::move(p));
    const float expected = slope >= 0.0f ? slope : default_leaky_relu_slope;
    EXPECT_EQ(original.layer_activation_parameter(0), expected);
    const bytes file = serialize_model(original);
    EXPECT_EQ(get_u32(file, at_layer(0) + 12), std::bit_cast<std::uint32_t>(expected));
    const model back = parse_model(file);
    expect_same_model(original, back);
    EXPECT_EQ(serialize_model(back), file);
  }
}

// A version-1 file written here byte by byte from the version-1 specification (12-byte layer
// records, no parameter field): it loads with exactly the values written, parameters 0.
bytes version_1_file(const model_parameters& p) {
  bytes out;
  const auto u8 = [&](std::uint8_t v) { out.push_back(static_cast<std::byte>(v)); };
  const auto u32 = [&](std::uint32_t v) {
    for (int shift = 0; shift < 32; shift += 8) u8(static_cast<std::uint8_t>(v >> shift));
  };
  const auto f32 = [&](float v) { u32(std::bit_cast<std::uint32_t>(v)); };
  for (const char c : std::string_view("\x89simdnn\n")) u8(static_cast<std::uint8_t>(c));
  u32(1);           // version
  u32(0x01020304);  // byte-order mark
  u32(0);           // file size, set below
  u32(0);
  const std::size_t layers = p.widths.size() - 1;
  u32(static_cast<std::uint32_t>(layers));
  std::uint32_t name_bytes = 0;
  for (const std::string& name : p.class_names)
    name_bytes += static_cast<std::uint32_t>(name.size());
  u32((p.bias ? 1u : 0u) | (p.input_mean.empty() ? 0u : 2u) | (p.class_names.empty() ? 0u : 4u));
  u32(static_cast<std::uint32_t>(p.class_names.size()));
  u32(name_bytes);
  for (std::size_t l = 0; l < layers; ++l) {
    u32(static_cast<std::uint32_t>(p.widths[l]));
    u32(static_cast<std::uint32_t>(p.widths[l + 1]));
    u32(p.activations[l] == activation::identity ? 2 : 1);
  }
  for (float v : p.input_mean) f32(v);
  for (float v : p.input_stddev) f32(v);
  for (std::size_t l = 0; l < layers; ++l) {
    for (float v : p.weights[l]) f32(v);
    for (float v : p.biases[l]) f32(v);
  }
  for (const std::string& name : p.class_names) u32(static_cast<std::uint32_t>(name.size()));
  for (const std::string& name : p.class_names) {
    for (char c : name) u8(static_cast<std::uint8_t>(c));
  }
  while (out.size() % 4 != 0) u8(0);
  u32(0);  // the checksum
  reseal(out);
  return out;
}

TEST(ModelVersion1, LoadsWithTheSameValues) {
  const model expected = full_model();  // sigmoid and identity: all version 1 can hold
  const bytes file = version_1_file(expected.parameters());
  EXPECT_EQ(file.size(), 40u + 24 + 32 + 332 + 12 + 25 + 3 + 4);
  const model loaded = parse_model(file, "old.simdnn");
  expect_same_model(expected, loaded);
  EXPECT_EQ(loaded.layer_activation_parameter(0), 0.0f);
  EXPECT_EQ(loaded.layer_activation_parameter(1), 0.0f);
  ASSERT_TRUE(loaded.file_info().has_value());
  EXPECT_EQ(loaded.file_info()->format_version, 1u);
  EXPECT_EQ(loaded.file_info()->file_bytes, file.size());
  // Saving writes version 2: the same model, 4 bytes more per layer record.
  const bytes again = serialize_model(loaded);
  EXPECT_EQ(again, serialize_model(expected));
  EXPECT_EQ(get_u32(again, at_version), 2u);
  EXPECT_EQ(again.size(), file.size() + 4 * 2);
}

TEST(ModelVersion1, MinimalAndWithoutOptionalSections) {
  const model expected =
      testing::random_model({5, 7, 1}, {activation::identity, activation::sigmoid}, false, 9);
  const bytes file = version_1_file(expected.parameters());
  EXPECT_EQ(file.size(), 40u + 24 + 4 * (35 + 7) + 4);
  expect_same_model(expected, parse_model(file));
}

// Version 1 defined codes 1 and 2 only: the later ones are errors in a version-1 file (there is
// no parameter field to hold leaky_relu's slope).
TEST(ModelVersion1, OnlySigmoidAndIdentity) {
  bytes file = version_1_file(full_model().parameters());
  put_u32(file, at_layer_v1(1) + 8, 3);
  reseal(file);
  try {
    static_cast<void>(parse_model(file, "old.simdnn"));
    FAIL() << "accepted code 3 in a version-1 file";
  } catch (const model_error& e) {
    EXPECT_EQ(e.code(), model_error_code::bad_activation);
    EXPECT_EQ(e.offset(), at_layer_v1(1) + 8);
    EXPECT_EQ(std::string(e.what()),
              "old.simdnn: byte 60: layer 1: activation 3 is not defined (format 1: 1 sigmoid, 2 "
              "identity)");
  }
  for (const std::uint32_t code : {0u, 4u, 6u, 7u, 8u}) {
    put_u32(file, at_layer_v1(1) + 8, code);
    reseal(file);
    EXPECT_EQ(rejection(file), model_error_code::bad_activation) << code;
  }
}

TEST(ModelRoundTrip, NetworkToFileToNetworkGivesTheSameOutputs) {
  const std::size_t widths[] = {4, 10, 3, 1};
  network_options options;
  options.max_batch = 8;
  options.activations = {activation::sigmoid, activation::sigmoid, activation::identity};
  network net(widths, options);
  const float mean[] = {1.0f, 2.0f, 3.0f, 4.0f};
  const float stddev[] = {0.5f, 1.5f, 2.0f, 0.25f};
  net.set_input_standardization(mean, stddev);
  // A few training steps so the weights are not just the seeded initial ones.
  std::vector<float> x(8 * 4), t(8);
  testing::test_rng rng(3);
  for (float& v : x) v = rng.uniform(-3.0f, 3.0f);
  for (float& v : t) v = rng.uniform(0.0f, 1.0f);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(net.train_batch(x, t, 8, 0.1f));

  const model saved(net);
  const model loaded = parse_model(serialize_model(saved));
  network rebuilt = loaded.make_network(options);
  EXPECT_TRUE(rebuilt.has_input_standardization());
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    EXPECT_TRUE(same_bits(net.weights(l), rebuilt.weights(l)));
    EXPECT_TRUE(same_bits(net.biases(l), rebuilt.biases(l)));
  }
  const auto before = net.forward(x, 8);
  ASSERT_TRUE(before);
  const std::vector<float> expected(before.value.begin(), before.value.end());
  const auto after = rebuilt.forward(x, 8);
  ASSERT_TRUE(after);
  EXPECT_TRUE(same_bits(expected, after.value));
}

TEST(ModelRoundTrip, ModelFromNetworkKeepsClassNamesAndRejectsBadOnes) {
  const std::size_t widths[] = {2, 3};
  network net(widths);
  const model named(net, {"a", "b", "c"});
  EXPECT_EQ(named.class_names().size(), 3u);
  EXPECT_THROW(model(net, {"a", "b"}), std::invalid_argument);       // count
  EXPECT_THROW(model(net, {"a", "b", "a"}), std::invalid_argument);  // duplicate
  EXPECT_THROW(model(net, {"a", "", "c"}), std::invalid_argument);   // empty
  EXPECT_THROW(model(net, {"a", std::string("b\0c", 3), "d"}), std::invalid_argument);
  EXPECT_THROW(model(net, {"a", std::string(4097, 'x'), "c"}), std::invalid_argument);
  network moved = std::move(net);
  EXPECT_THROW(model{net}, std::invalid_argument);  // NOLINT(bugprone-use-after-move)
}

TEST(ModelValidation, ParametersAreChecked) {
  const auto base = [] { return full_model().parameters(); };
  const std::vector<std::function<void(model_parameters&)>> breakers = {
      [](model_parameters& p) { p.widths = {4}; },
      [](model_parameters& p) { p.widths[1] = 0; },
      [](model_parameters& p) { p.activations.pop_back(); },
      [](model_parameters& p) { p.activations[0] = static_cast<activation>(9); },
      [](model_parameters& p) { p.weights[0].pop_back(); },
      [](model_parameters& p) { p.biases[1].pop_back(); },
      [](model_parameters& p) { p.bias = false; },  // biases present without the switch
      [](model_parameters& p) { p.weights[1][0] = std::numeric_limits<float>::quiet_NaN(); },
      [](model_parameters& p) { p.biases[0][0] = std::numeric_limits<float>::infinity(); },
      [](model_parameters& p) { p.input_stddev[2] = 0.0f; },
      [](model_parameters& p) { p.input_stddev.pop_back(); },
      [](model_parameters& p) { p.input_mean.clear(); },
      [](model_parameters& p) { p.class_names.pop_back(); },
  };
  for (std::size_t i = 0; i < breakers.size(); ++i) {
    model_parameters p = base();
    breakers[i](p);
    EXPECT_THROW(model{p}, std::invalid_argument) << "breaker " << i;
  }
}

// ---- Files ----------------------------------------------------------------------------------

class ModelFile : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    directory_ = std::filesystem::temp_directory_path() /
                 ("simdnn_model_test_" + std::to_string(getpid()) + "_" + name);
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  // Files other than the ones named: leftovers of a failed save.
  std::vector<std::string> strays(const std::vector<std::string>& expected) const {
    std::vector<std::string> found;
    for (const auto& entry : std::filesystem::directory_iterator(directory_)) {
      const std::string name = entry.path().filename().string();
      if (std::find(expected.begin(), expected.end(), name) == expected.end()) {
        found.push_back(name);
      }
    }
    return found;
  }

  static bytes read_all(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bytes out(chars.size());
    std::memcpy(out.data(), chars.data(), chars.size());
    return out;
  }

  std::filesystem::path directory_;
};

TEST_F(ModelFile, SaveThenLoadIsBitwise) {
  const model original = full_model();
  const auto path = directory_ / "iris.simdnn";
  save_model(path, original);
  EXPECT_EQ(read_all(path), serialize_model(original));
  expect_same_model(original, load_model(path));
  EXPECT_TRUE(strays({"iris.simdnn"}).empty());
}

TEST_F(ModelFile, SaveReplacesAnExistingFile) {
  const auto path = directory_ / "m.simdnn";
  save_model(path, full_model(1));
  save_model(path, full_model(2));
  expect_same_model(full_model(2), load_model(path));
  EXPECT_TRUE(strays({"m.simdnn"}).empty());
}

TEST_F(ModelFile, SaveIntoAMissingDirectoryFailsWithTheReason) {
  try {
    save_model(directory_ / "no" / "such" / "m.simdnn", full_model());
    FAIL() << "saved into a missing directory";
  } catch (const model_error& e) {
    EXPECT_EQ(e.code(), model_error_code::io_error);
    EXPECT_FALSE(e.has_offset());
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos)
        << e.what();
  }
}

// A full disk in the middle of the write, simulated with RLIMIT_FSIZE: write() fails with EFBIG
// partway through the temporary file. The old model must survive bit for bit.
TEST_F(ModelFile, DiskFullMidWriteKeepsTheOldFile) {
  const auto path = directory_ / "m.simdnn";
  const model old_model = full_model(1);
  save_model(path, old_model);
  const bytes old_bytes = read_all(path);

  model_parameters big =
      testing::random_model({64, 64, 8}, {activation::sigmoid, activation::sigmoid}, true, 5)
          .parameters();
  rlimit saved_limit{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved_limit), 0);
  const auto saved_handler = signal(SIGXFSZ, SIG_IGN);  // else the process is killed
  rlimit limited = saved_limit;
  limited.rlim_cur = 1000;  // the new file is ~17 KB
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limited), 0);
  std::string message;
  model_error_code code = model_error_code::truncated;
  try {
    save_model(path, model(big));
  } catch (const model_error& e) {
    message = e.what();
    code = e.code();
  }
  setrlimit(RLIMIT_FSIZE, &saved_limit);
  signal(SIGXFSZ, saved_handler);

  EXPECT_EQ(code, model_error_code::io_error);
  EXPECT_NE(message.find("File too large"), std::string::npos) << message;
  EXPECT_EQ(read_all(path), old_bytes);
  EXPECT_TRUE(strays({"m.simdnn"}).empty());
}

TEST_F(ModelFile, LoadErrorsNameTheFile) {
  try {
    static_cast<void>(load_model(directory_ / "absent.simdnn"));
    FAIL();
  } catch (const model_error& e) {
    EXPECT_EQ(e.code(), model_error_code::io_error);
    EXPECT_NE(e.file().find("absent.simdnn"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos);
  }
  try {
    static_cast<void>(load_model(directory_));
    FAIL();
  } catch (const model_error& e) {
    EXPECT_EQ(e.code(), model_error_code::io_error);
  }
  const auto text = directory_ / "notes.txt";
  std::ofstream(text) << "hello\n";
  try {
    static_cast<void>(load_model(text));
    FAIL();
  } catch (const model_error& e) {
    EXPECT_EQ(e.code(), model_error_code::bad_magic);
    EXPECT_EQ(std::string(e.what()), text.string() +
                                         ": byte 0: not a simdnn model file (wrong "
                                         "magic number)");
  }
}

// A sparse file just above the bound: rejected from its size, before anything is read.
TEST_F(ModelFile, HugeFileIsRejectedBeforeReading) {
  const auto path = directory_ / "huge.simdnn";
  { std::ofstream(path) << "x"; }
  std::filesystem::resize_file(path, max_model_file_bytes + 1);
  try {
    static_cast<void>(load_model(path));
    FAIL();
  } catch (const model_error& e) {
    EXPECT_EQ(e.code(), model_error_code::file_too_large);
  }
}

// ---- Saving to what is not a regular file -----------------------------------------------------

// The reason save_model gives for `file`, or "saved".
std::string save_failure(const std::filesystem::path& file) {
  try {
    save_model(file, full_model());
  } catch (const model_error& e) {
    EXPECT_EQ(e.code(), model_error_code::io_error);
    EXPECT_FALSE(e.has_offset());
    return e.what();
  }
  return "saved";
}

// Temporary files a save left in `directory` (named .<target>.tmp.<pid>.<n>).
std::vector<std::string> temporaries_in(const std::filesystem::path& directory) {
  std::vector<std::string> found;
  const std::string marker = ".tmp." + std::to_string(getpid()) + ".";
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    if (name.front() == '.' && name.find(marker) != std::string::npos) found.push_back(name);
  }
  return found;
}

// Renaming over a device node would replace it with a regular file (as root, /dev/null would
// become a model file): refused before anything is created, and the device stays a device.
TEST(ModelSave, CharacterDevicesAreRefusedAndStayDevices) {
  for (const char* device : {"/dev/null", "/dev/full"}) {
    if (!std::filesystem::is_character_file(device)) {
      GTEST_SKIP() << device << " does not exist or is not a character device here";
    }
    EXPECT_EQ(save_failure(device), std::string(device) +
                                        ": is a character device, not a regular file: refusing "
                                        "to replace it");
    EXPECT_TRUE(std::filesystem::is_character_file(device)) << device;
    EXPECT_TRUE(temporaries_in("/dev").empty());
  }
}

TEST_F(ModelFile, AFifoIsRefusedAndStaysAFifo) {
  const auto fifo = directory_ / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  EXPECT_EQ(save_failure(fifo),
            fifo.string() + ": is a FIFO, not a regular file: refusing to replace it");
  EXPECT_TRUE(std::filesystem::is_fifo(fifo));
  EXPECT_TRUE(strays({"pipe"}).empty());
}

// A directory (even a non-empty one, which rename itself would refuse) is refused up front.
TEST_F(ModelFile, ADirectoryIsRefusedBeforeAnythingIsCreated) {
  for (const char* name : {"empty", "occupied"}) {
    const auto target = directory_ / name;
    std::filesystem::create_directories(target);
    if (std::string(name) == "occupied") std::filesystem::create_directories(target / "inside");
    EXPECT_EQ(save_failure(target),
              target.string() + ": is a directory, not a regular file: refusing to replace it");
    EXPECT_TRUE(std::filesystem::is_directory(target));
  }
  EXPECT_TRUE(std::filesystem::is_directory(directory_ / "occupied" / "inside"));
  EXPECT_TRUE(strays({"empty", "occupied"}).empty());
}

// A link stays a link; its target gets the new model, atomically, from a temporary beside it.
TEST_F(ModelFile, ASymlinkToAFileReplacesTheTargetAndKeepsTheLink) {
  const auto target = directory_ / "target.simdnn";
  const auto link = directory_ / "link.simdnn";
  save_model(target, full_model(1));
  std::filesystem::create_symlink("target.simdnn", link);
  save_model(link, full_model(2));
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_EQ(std::filesystem::read_symlink(link), "target.simdnn");
  EXPECT_EQ(read_all(target), serialize_model(full_model(2)));
  expect_same_model(full_model(2), load_model(link));
  EXPECT_TRUE(strays({"target.simdnn", "link.simdnn"}).empty());
}

TEST_F(ModelFile, ASymlinkChainIsFollowedToItsEnd) {
  std::filesystem::create_directories(directory_ / "deep");
  const auto end = directory_ / "deep" / "end.simdnn";
  save_model(end, full_model(1));
  std::filesystem::create_symlink(end, directory_ / "b");                   // absolute
  std::filesystem::create_symlink("b", directory_ / "a");                   // relative
  std::filesystem::create_symlink(directory_ / "a", directory_ / "start");  // absolute again
  save_model(directory_ / "start", full_model(3));
  for (const char* link : {"start", "a", "b"}) {
    EXPECT_TRUE(std::filesystem::is_symlink(directory_ / link)) << link;
  }
  EXPECT_EQ(read_all(end), serialize_model(full_model(3)));
  EXPECT_TRUE(strays({"deep", "start", "a", "b"}).empty());
  EXPECT_TRUE(temporaries_in(directory_ / "deep").empty());
}

// A dangling link: its final target path is where the model is created.
TEST_F(ModelFile, ADanglingSymlinkCreatesItsTarget) {
  std::filesystem::create_directories(directory_ / "models");
  std::filesystem::create_symlink("models/new.simdnn", directory_ / "link");
  save_model(directory_ / "link", full_model(4));
  EXPECT_TRUE(std::filesystem::is_symlink(directory_ / "link"));
  EXPECT_TRUE(std::filesystem::is_regular_file(directory_ / "models" / "new.simdnn"));
  EXPECT_EQ(read_all(directory_ / "models" / "new.simdnn"), serialize_model(full_model(4)));
  EXPECT_TRUE(strays({"models", "link"}).empty());
}

// A relative link is relative to its own directory, not to the working directory.
TEST_F(ModelFile, ARelativeSymlinkInAnotherDirectory) {
  std::filesystem::create_directories(directory_ / "links");
  std::filesystem::create_directories(directory_ / "models");
  const auto target = directory_ / "models" / "m.simdnn";
  save_model(target, full_model(1));
  std::filesystem::create_symlink("../models/m.simdnn", directory_ / "links" / "m.simdnn");
  save_model(directory_ / "links" / "m.simdnn", full_model(5));
  EXPECT_TRUE(std::filesystem::is_symlink(directory_ / "links" / "m.simdnn"));
  EXPECT_EQ(read_all(target), serialize_model(full_model(5)));
  EXPECT_TRUE(temporaries_in(directory_ / "links").empty());
  EXPECT_TRUE(temporaries_in(directory_ / "models").empty());
  EXPECT_TRUE(strays({"links", "models"}).empty());
}

TEST_F(ModelFile, ASymlinkToWhatIsNotAFileIsRefused) {
  const auto fifo = directory_ / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  std::filesystem::create_symlink("pipe", directory_ / "to_pipe");
  EXPECT_EQ(save_failure(directory_ / "to_pipe"),
            (directory_ / "to_pipe").string() + ": the symbolic link's target " + fifo.string() +
                " is a FIFO, not a regular file: refusing to replace it");
  EXPECT_TRUE(std::filesystem::is_fifo(fifo));
  EXPECT_TRUE(std::filesystem::is_symlink(directory_ / "to_pipe"));
  if (std::filesystem::is_character_file("/dev/null")) {
    std::filesystem::create_symlink("/dev/null", directory_ / "to_null");
    EXPECT_NE(save_failure(directory_ / "to_null").find("/dev/null is a character device"),
              std::string::npos);
    EXPECT_TRUE(std::filesystem::is_character_file("/dev/null"));
  }
  std::filesystem::create_symlink("loop_b", directory_ / "loop_a");
  std::filesystem::create_symlink("loop_a", directory_ / "loop_b");
  EXPECT_NE(save_failure(directory_ / "loop_a").find("Too many levels of symbolic links"),
            std::string::npos);
  EXPECT_TRUE(temporaries_in(directory_).empty());
}

// ---- Hardening ------------------------------------------------------------------------------

TEST(ModelHardening, EveryTruncationIsRejected) {
  const bytes file = serialize_model(full_model());
  for (std::size_t length = 0; length < file.size(); ++length) {
    const bytes prefix(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(length));
    EXPECT_EQ(rejection(prefix), model_error_code::truncated) << "prefix of " << length;
  }
}

TEST(ModelHardening, EverySingleBitFlipIsRejected) {
  const bytes file = serialize_model(full_model());
  for (std::size_t byte = 0; byte < file.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      bytes flipped = file;
      flipped[byte] ^= static_cast<std::byte>(1u << bit);
      const model_error_code code = rejection(flipped);
      // Past the fields checked before the checksum (magic, version, byte order, size), the
      // checksum is what catches a flip.
      if (byte >= at_layer_count) {
        EXPECT_EQ(code, model_error_code::checksum_mismatch) << "byte " << byte << " bit " << bit;
      }
    }
  }
}

struct crafted_case {
  const char* name;
  std::function<void(bytes&)> edit;  // then resealed (correct size and checksum)
  model_error_code expected;
};

void PrintTo(const crafted_case& c, std::ostream* out) {
  *out << c.name;
}

class ModelAdversarial : public ::testing::TestWithParam<crafted_case> {};

TEST_P(ModelAdversarial, GivesItsSpecificError) {
  bytes file = serialize_model(full_model());
  GetParam().edit(file);
  reseal(file);
  EXPECT_EQ(rejection(file), GetParam().expected)
      << "got: " << rejection_message(file)
      << "\nexpected: " << model_error_name(GetParam().expected);
}

// Offsets inside full_model()'s file: 4-10-3, statistics, biases, 3 names.
constexpr std::size_t at_statistics = 40 + 32;
constexpr std::size_t at_weights0 = at_statistics + 32;
constexpr std::size_t at_biases0 = at_weights0 + 4 * 40;
constexpr std::size_t at_weights1 = at_biases0 + 4 * 10;
constexpr std::size_t at_names = at_weights1 + 4 * 30 + 4 * 3;

const float nan = std::numeric_limits<float>::quiet_NaN();
const float inf = std::numeric_limits<float>::infinity();

INSTANTIATE_TEST_SUITE_P(
    Crafted, ModelAdversarial,
    ::testing::Values(
        crafted_case{"wrong_magic", [](bytes& f) { f[1] = std::byte{'S'}; },
                     model_error_code::bad_magic},
        crafted_case{"future_version", [](bytes& f) { put_u32(f, at_version, 3); },
                     model_error_code::unsupported_version},
        crafted_case{"version_zero", [](bytes& f) { put_u32(f, at_version, 0); },
                     model_error_code::unsupported_version},
        crafted_case{"big_endian", [](bytes& f) { put_u32(f, at_byte_order, 0x04030201u); },
                     model_error_code::bad_byte_order},
        crafted_case{"garbled_byte_order", [](bytes& f) { put_u32(f, at_byte_order, 0x01020305u); },
                     model_error_code::bad_byte_order},
        crafted_case{"unknown_flag", [](bytes& f) { put_u32(f, at_flags, 7u | (1u << 9)); },
                     model_error_code::unknown_flags},
        crafted_case{"zero_layers", [](bytes& f) { put_u32(f, at_layer_count, 0); },
                     model_error_code::no_layers},
        crafted_case{"too_many_layers", [](bytes& f) { put_u32(f, at_layer_count, 1025); },
                     model_error_code::too_many_layers},
        crafted_case{"layer_count_past_the_file",
                     [](bytes& f) { put_u32(f, at_layer_count, 1000); },
                     model_error_code::payload_size_mismatch},
        crafted_case{"zero_width_input", [](bytes& f) { put_u32(f, at_layer(0), 0); },
                     model_error_code::zero_width},
        crafted_case{"zero_width_output", [](bytes& f) { put_u32(f, at_layer(1) + 4, 0); },
                     model_error_code::zero_width},
        crafted_case{"width_2_to_32_minus_1",
                     [](bytes& f) { put_u32(f, at_layer(0), 0xFFFFFFFFu); },
                     model_error_code::width_too_large},
        crafted_case{"width_2_to_31", [](bytes& f) { put_u32(f, at_layer(0) + 4, 0x80000000u); },
                     model_error_code::width_too_large},
        crafted_case{"width_just_above_bound",
                     [](bytes& f) { put_u32(f, at_layer(1) + 4, (1u << 24) + 1); },
                     model_error_code::width_too_large},
        // 65536 x 65536 = 2^32: wraps a 32-bit product to 0.
        crafted_case{"product_wraps_32_bits",
                     [](bytes& f) {
                       put_u32(f, at_layer(0), 65536);
                       put_u32(f, at_layer(0) + 4, 65536);
                       put_u32(f, at_layer(1), 65536);
                     },
                     model_error_code::too_many_parameters},
        crafted_case{"product_2_to_48",
                     [](bytes& f) {
                       put_u32(f, at_layer(0), 1u << 24);
                       put_u32(f, at_layer(0) + 4, 1u << 24);
                       put_u32(f, at_layer(1), 1u << 24);
                     },
                     model_error_code::too_many_parameters},
        crafted_case{"layers_do_not_chain", [](bytes& f) { put_u32(f, at_layer(1), 11); },
                     model_error_code::layers_do_not_chain},
        crafted_case{"activation_zero", [](bytes& f) { put_u32(f, at_layer(0) + 8, 0); },
                     model_error_code::bad_activation},
        crafted_case{"activation_eight", [](bytes& f) { put_u32(f, at_layer(1) + 8, 8); },
                     model_error_code::bad_activation},
        crafted_case{"activation_2_to_32_minus_1",
                     [](bytes& f) { put_u32(f, at_layer(0) + 8, 0xFFFFFFFFu); },
                     model_error_code::bad_activation},
        crafted_case{"parameter_for_sigmoid", [](bytes& f) { put_f32(f, at_layer(0) + 12, 0.5f); },
                     model_error_code::bad_activation},
        crafted_case{"nan_parameter_for_identity",
                     [](bytes& f) { put_f32(f, at_layer(1) + 12, nan); },
                     model_error_code::bad_activation},
        crafted_case{"leaky_relu_negative_slope",
                     [](bytes& f) {
                       put_u32(f, at_layer(0) + 8, 6);
                       put_f32(f, at_layer(0) + 12, -0.25f);
                     },
                     model_error_code::bad_activation},
        crafted_case{"leaky_relu_nan_slope",
                     [](bytes& f) {
                       put_u32(f, at_layer(0) + 8, 6);
                       put_f32(f, at_layer(0) + 12, nan);
                     },
                     model_error_code::bad_activation},
        crafted_case{"leaky_relu_infinite_slope",
                     [](bytes& f) {
                       put_u32(f, at_layer(0) + 8, 6);
                       put_f32(f, at_layer(0) + 12, inf);
                     },
                     model_error_code::bad_activation},
        crafted_case{"softmax_not_last", [](bytes& f) { put_u32(f, at_layer(0) + 8, 7); },
                     model_error_code::bad_activation},
        // Wider layers that still chain: the payload they describe is longer than the file.
        crafted_case{"payload_longer_than_file",
                     [](bytes& f) {
                       put_u32(f, at_layer(0) + 4, 11);
                       put_u32(f, at_layer(1), 11);
                     },
                     model_error_code::payload_size_mismatch},
        crafted_case{"payload_shorter_than_file",
                     [](bytes& f) { f.insert(f.end() - 4, 4, std::byte{0}); },
                     model_error_code::payload_size_mismatch},
        crafted_case{"statistics_flag_without_statistics",
                     [](bytes& f) { put_u32(f, at_flags, 7u & ~2u); },
                     model_error_code::payload_size_mismatch},
        crafted_case{"nan_weight", [](bytes& f) { put_f32(f, at_weights1 + 8, nan); },
                     model_error_code::non_finite_value},
        crafted_case{"inf_weight", [](bytes& f) { put_f32(f, at_weights0, -inf); },
                     model_error_code::non_finite_value},
        crafted_case{"nan_bias", [](bytes& f) { put_f32(f, at_biases0 + 36, nan); },
                     model_error_code::non_finite_value},
        crafted_case{"inf_mean", [](bytes& f) { put_f32(f, at_statistics, inf); },
                     model_error_code::non_finite_value},
        crafted_case{"zero_stddev", [](bytes& f) { put_f32(f, at_statistics + 16, 0.0f); },
                     model_error_code::bad_standardization},
        crafted_case{"negative_stddev", [](bytes& f) { put_f32(f, at_statistics + 28, -1.0f); },
                     model_error_code::bad_standardization},
        crafted_case{"class_count_not_outputs",
                     [](bytes& f) { put_u32(f, at_class_count, 2); },
                     model_error_code::bad_class_names},
        crafted_case{"class_names_without_flag",
                     [](bytes& f) { put_u32(f, at_flags, 3); },
                     model_error_code::bad_class_names},
        // 26 still fits the same padded size, so the lengths' sum is what disagrees.
        crafted_case{"name_bytes_disagree", [](bytes& f) { put_u32(f, at_name_bytes, 26); },
                     model_error_code::bad_class_names},
        crafted_case{"name_bytes_past_the_file", [](bytes& f) { put_u32(f, at_name_bytes, 30); },
                     model_error_code::payload_size_mismatch},
        crafted_case{"empty_class_name",
                     [](bytes& f) {
                       put_u32(f, at_names, 0);  // "setosa" -> "", "versicolor" gains 6
                       put_u32(f, at_names + 4, 16);
                     },
                     model_error_code::bad_class_names},
        crafted_case{"duplicate_class_name",
                     [](bytes& f) {
                       // "setosa","versicolor","virginica" -> "setosa","setosa" + ...
                       put_u32(f, at_names + 4, 6);
                       put_u32(f, at_names + 8, 13);
                       const char* text = "setosasetosa";
                       for (std::size_t i = 0; i < 12; ++i) {
                         f[at_names + 12 + i] = static_cast<std::byte>(text[i]);
                       }
                     },
                     model_error_code::bad_class_names},
        crafted_case{"nul_in_class_name",
                     [](bytes& f) { f[at_names + 12 + 2] = std::byte{0}; },
                     model_error_code::bad_class_names},
        crafted_case{"nonzero_padding",
                     [](bytes& f) { f[f.size() - 5] = std::byte{1}; },
                     model_error_code::bad_padding}),
    [](const ::testing::TestParamInfo<crafted_case>& param) { return param.param.name; });

TEST(ModelHardening, NewerVersionMessage) {
  bytes file = serialize_model(full_model());
  put_u32(file, at_version, 7);
  reseal(file);
  EXPECT_EQ(rejection_message(file),
            "crafted.simdnn: byte 8: written by a newer simdnn (format 7, this build reads up "
            "to 2)");
  put_u32(file, at_version, 3);  // the next version
  reseal(file);
  EXPECT_EQ(rejection_message(file),
            "crafted.simdnn: byte 8: written by a newer simdnn (format 3, this build reads up "
            "to 2)");
}

// Each activation error names the layer, the code or the parameter, the reason and the offset of
// the field at fault.
TEST(ModelHardening, ActivationErrorsNameTheLayerTheValueAndTheOffset) {
  const auto message_of = [](const std::function<void(bytes&)>& edit) {
    bytes file = serialize_model(full_model());
    edit(file);
    reseal(file);
    try {
      static_cast<void>(parse_model(file, "m.simdnn"));
    } catch (const model_error& e) {
      EXPECT_EQ(e.code(), model_error_code::bad_activation) << e.what();
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(message_of([](bytes& f) { put_u32(f, at_layer(1) + 8, 9); }),
            "m.simdnn: byte 64: layer 1: activation 9 is not defined (format 2: 1 sigmoid, 2 "
            "identity, 3 sigmoid_fast, 4 tanh, 5 relu, 6 leaky_relu, 7 softmax)");
  EXPECT_EQ(message_of([](bytes& f) { put_f32(f, at_layer(0) + 12, 0.5f); }),
            "m.simdnn: byte 52: layer 0: sigmoid parameter 0.5: this activation takes no "
            "parameter (it must be 0)");
  EXPECT_EQ(message_of([](bytes& f) {
              put_u32(f, at_layer(0) + 8, 6);
              put_f32(f, at_layer(0) + 12, -0.25f);
            }),
            "m.simdnn: byte 52: layer 0: leaky_relu parameter -0.25: leaky_relu slope must be "
            "finite and >= 0");
  EXPECT_EQ(message_of([](bytes& f) {
              put_u32(f, at_layer(0) + 8, 6);
              put_f32(f, at_layer(0) + 12, nan);
            }),
            "m.simdnn: byte 52: layer 0: leaky_relu parameter nan: leaky_relu slope must be "
            "finite and >= 0");
  EXPECT_EQ(message_of([](bytes& f) { put_u32(f, at_layer(0) + 8, 7); }),
            "m.simdnn: byte 48: layer 0: softmax is for the output layer only (this model's is "
            "layer 1)");
  // Softmax last, leaky_relu with a slope: a valid file.
  bytes file = serialize_model(full_model());
  put_u32(file, at_layer(0) + 8, 6);
  put_f32(file, at_layer(0) + 12, 0.3f);
  put_u32(file, at_layer(1) + 8, 7);
  reseal(file);
  const model m = parse_model(file);
  EXPECT_EQ(m.layer_activation(0), activation::leaky_relu);
  EXPECT_EQ(m.layer_activation_parameter(0), 0.3f);
  EXPECT_EQ(m.layer_activation(1), activation::softmax);
  EXPECT_EQ(serialize_model(m), file);
}

// The widths are checked before the activation of the same layer, the activation before the
// parameter count (the documented order).
TEST(ModelHardening, ActivationChecksComeInTheDocumentedOrder) {
  bytes file = serialize_model(full_model());
  put_u32(file, at_layer(1) + 8, 99);
  put_u32(file, at_layer(1), 11);  // and the layers do not chain
  reseal(file);
  EXPECT_EQ(rejection(file), model_error_code::layers_do_not_chain);
  file = serialize_model(full_model());
  put_u32(file, at_layer(0), 1u << 24);  // 2^24 x 2^24: far more than 2^28 parameters
  put_u32(file, at_layer(0) + 4, 1u << 24);
  put_u32(file, at_layer(1), 1u << 24);
  reseal(file);
  EXPECT_EQ(rejection(file), model_error_code::too_many_parameters);
  put_f32(file, at_layer(0) + 12, 0.5f);  // and a parameter sigmoid does not take
  reseal(file);
  EXPECT_EQ(rejection(file), model_error_code::bad_activation);
}

TEST(ModelHardening, SizeAndChecksumErrors) {
  const bytes file = serialize_model(full_model());
  bytes longer = file;
  longer.push_back(std::byte{0});
  EXPECT_EQ(rejection(longer), model_error_code::trailing_bytes);  // declared size unchanged
  bytes declared_more = file;
  put_u64(declared_more, at_file_size, file.size() + 4);
  EXPECT_EQ(rejection(declared_more), model_error_code::truncated);
  bytes declared_tiny = file;
  put_u64(declared_tiny, at_file_size, 8);
  EXPECT_EQ(rejection(declared_tiny), model_error_code::payload_size_mismatch);
  bytes damaged = file;
  damaged[at_weights0 + 1] ^= std::byte{0x10};
  EXPECT_EQ(rejection(damaged), model_error_code::checksum_mismatch);
  EXPECT_NE(rejection_message(damaged).find("checksum mismatch"), std::string::npos);
}

TEST(ModelHardening, ErrorsCarryTheOffset) {
  bytes file = serialize_model(full_model());
  put_f32(file, at_weights1 + 8, nan);
  reseal(file);
  try {
    static_cast<void>(parse_model(file, "x"));
    FAIL();
  } catch (const model_error& e) {
    EXPECT_TRUE(e.has_offset());
    EXPECT_EQ(e.offset(), at_weights1 + 8);
    EXPECT_EQ(e.file(), "x");
    EXPECT_EQ(std::string(e.what()), "x: byte " + std::to_string(at_weights1 + 8) +
                                         ": layer 1 weight 2 is NaN or infinite");
  }
}

TEST(ModelHardening, EveryCodeHasAName) {
  for (int c = 0; c <= static_cast<int>(model_error_code::bad_padding); ++c) {
    EXPECT_STRNE(model_error_name(static_cast<model_error_code>(c)), "unknown") << c;
  }
}

}  // namespace
}  // namespace simdnn
