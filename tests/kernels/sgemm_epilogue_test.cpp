// The fused dense-layer forward (lib/kernels/gemm/epilogue.hpp, the table's
// sgemm_bias_activation) against the unfused sequence it replaces, bit for bit, on every ISA
// this CPU runs: Z := b in every row, the table's sgemm with beta = 1 (beta = 0 without a bias),
// then A := f(Z) by the activation's array kernel. Every elementwise activation; shapes whose m,
// n and k are not multiples of any ISA's tile, k over one, two and three KC blocks, the narrow
// one-vector tile, A packed and read in place, B packed and read in place, and the tiny and
// single-row products that take the unfused fallback; A separate from Z or in place; leading
// dimensions wider than n (a thread's column share), whose padding must stay untouched.
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/gemm/path.hpp"
#include "test_support.hpp"

namespace simdnn {
namespace {

using kernels::kernel_table;
using testing::test_rng;

constexpr std::uint32_t kSentinelBits = 0x7FC0DEADu;

float sentinel() {
  return std::bit_cast<float>(kSentinelBits);
}

struct shape {
  std::size_t m, n, k;
};

// Chosen against the tiles (sse2 6x8, avx2 6x16 / 6x8, avx512 12x32 / 12x16), KC = 256, the
// small path's limits and kNoPackMaxPanels (path.hpp).
const shape kShapes[] = {
    {13, 37, 300},    // two k blocks, edge tiles both ways
    {97, 70, 513},    // three k blocks, B packed (m > 64)
    {40, 300, 260},   // B read in place (m <= 64), A packed (n > 4 NR)
    {29, 10, 600},    // narrow tile on AVX-512 (n <= 16), three k blocks
    {31, 7, 700},     // narrow tile on AVX2 and SSE2 (n <= 8)
    {70, 33, 256},    // k exactly one block
    {64, 65, 257},    // k one past a block
    {256, 256, 784},  // the MNIST-shaped network's first layer
    {5, 20, 30},      // small path (unfused fallback)
    {1, 50, 40},      // a single row (unfused fallback)
    {3, 33, 9},       // B in registers (unfused fallback)
};

const activation kElementwise[] = {activation::identity,     activation::sigmoid,
                                   activation::sigmoid_fast, activation::tanh,
                                   activation::relu,         activation::leaky_relu};

// The activation's array kernel from the table, row by row (rows of a wider matrix).
void activate_rows(const kernel_table& k, activation act, float parameter, const float* z,
                   std::size_t ldz, float* a, std::size_t lda, std::size_t m, std::size_t n) {
  for (std::size_t i = 0; i < m; ++i) {
    const float* in = z + i * ldz;
    float* out = a + i * lda;
    switch (act) {
      case activation::identity:
        if (out != in) std::memcpy(out, in, n * sizeof(float));
        break;
      case activation::sigmoid:
        k.sigmoid(in, out, n);
        break;
      case activation::sigmoid_fast:
        k.sigmoid_fast(in, out, n);
        break;
      case activation::tanh:
        k.tanh(in, out, n);
        break;
      case activation::relu:
        k.relu(in, out, n);
        break;
      case activation::leaky_relu:
        k.leaky_relu(in, out, n, parameter);
        break;
      case activation::softmax:
        FAIL() << "softmax is not an epilogue";
    }
  }
}

std::vector<std::uint32_t> bits_of(const std::vector<float>& values) {
  std::vector<std::uint32_t> bits;
  bits.reserve(values.size());
  for (float v : values) bits.push_back(std::bit_cast<std::uint32_t>(v));
  return bits;
}

class SgemmEpilogueTest : public ::testing::TestWithParam<isa> {
 protected:
  void SetUp() override {
    table_ = kernels::kernels_for(GetParam());
    if (table_ == nullptr) GTEST_SKIP() << isa_name(GetParam()) << " not supported on this CPU/OS";
  }

  // One case: fused and unfused on the same inputs, Z and A compared bit for bit, padding
  // checked. pad > 0 makes Z and A rows of a wider matrix (ld = n + pad).
  void check(const shape& s, activation act, bool bias, bool in_place, std::size_t pad) {
    const kernel_table& k = *table_;
    const std::string what =
        std::string(k.name) + " " + std::to_string(s.m) + "x" + std::to_string(s.n) + "x" +
        std::to_string(s.k) + " " + activation_name(act) + (bias ? ", bias" : ", no bias") +
        (in_place ? ", in place" : ", A apart") + ", pad " + std::to_string(pad);
    test_rng rng(s.m * 1000003 + s.n * 1009 + s.k);
    // Inputs around the scale of a layer's: |z| up to a few units, so every activation's
    // branches (sigmoid's sign, tanh's switch, relu's zero) are taken.
    std::vector<float> x(s.m * s.k), w(s.k * s.n), b(s.n);
    for (float& v : x) v = rng.uniform(0.0f, 1.0f);
    for (float& v : w) v = rng.uniform(-0.25f, 0.25f);
    for (float& v : b) v = rng.uniform(-2.0f, 2.0f);
    const std::size_t ld = s.n + pad;
    std::vector<float> z_fused(s.m * ld, sentinel()), a_fused(s.m * ld, sentinel());
    std::vector<float> z_ref(s.m * ld, sentinel()), a_ref(s.m * ld, sentinel());
    // Z's prior contents must not matter (beta == 0 without a bias; the bias replaces them).
    for (std::size_t i = 0; i < s.m; ++i) {
      for (std::size_t j = 0; j < s.n; ++j) z_fused[i * ld + j] = std::bit_cast<float>(0x7FC00001u);
    }
    std::vector<float> workspace(kernels::sgemm_workspace_floats(k.blocking, s.m, s.n, s.k) + 16);
    const float slope = 0.07f;
    const float* bias_ptr = bias ? b.data() : nullptr;

    float* a_out = in_place ? z_fused.data() : a_fused.data();
    k.sgemm_bias_activation(s.m, s.n, s.k, x.data(), s.k, w.data(), s.n, bias_ptr, z_fused.data(),
                            ld, a_out, ld, act, slope, workspace.data());

    float beta = 0.0f;
    if (bias) {
      for (std::size_t i = 0; i < s.m; ++i) std::memcpy(&z_ref[i * ld], b.data(), s.n * 4);
      beta = 1.0f;
    }
    k.sgemm(false, false, s.m, s.n, s.k, 1.0f, x.data(), s.k, w.data(), s.n, beta, z_ref.data(), ld,
            workspace.data());
    float* a_ref_out = in_place ? z_ref.data() : a_ref.data();
    activate_rows(k, act, slope, z_ref.data(), ld, a_ref_out, ld, s.m, s.n);

    ASSERT_EQ(bits_of(z_fused), bits_of(z_ref)) << what << ": Z (or A in place), padding too";
    if (!in_place) {
      ASSERT_EQ(bits_of(a_fused), bits_of(a_ref)) << what << ": A, padding too";
    }
  }

  const kernel_table* table_ = nullptr;
};

TEST_P(SgemmEpilogueTest, FusedIsBitwiseTheUnfusedSequence) {
  for (const shape& s : kShapes) {
    for (activation act : kElementwise) {
      for (bool bias : {true, false}) {
        for (bool in_place : {false, true}) {
          check(s, act, bias, in_place, 0);
          if (::testing::Test::HasFatalFailure()) return;
        }
      }
    }
  }
}

TEST_P(SgemmEpilogueTest, ColumnSharesOfAWiderMatrix) {
  for (const shape& s : kShapes) {
    for (activation act : {activation::sigmoid, activation::relu, activation::identity}) {
      check(s, act, true, false, 19);
      if (::testing::Test::HasFatalFailure()) return;
      check(s, act, true, true, 5);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

// The shapes above reach the paths they are meant to: most the blocked loops (where the
// epilogue is fused), the last three the unfused fallback. Checked on the choice itself, which
// depends on no ISA.
TEST(SgemmEpiloguePaths, ShapesCoverFusedAndFallback) {
  std::size_t blocked = 0, other = 0;
  for (const shape& s : kShapes) {
    if (kernels::gemm::choose_path(false, false, s.m, s.n, s.k, false) ==
        kernels::gemm::path::blocked) {
      ++blocked;
    } else {
      ++other;
    }
  }
  EXPECT_EQ(blocked, 8u);
  EXPECT_EQ(other, 3u);
}

// A NaN or infinite input reaches Z and A exactly as through the unfused sequence (one row of X
// holds a NaN, another an infinity).
TEST_P(SgemmEpilogueTest, NonFiniteValuesFlowAsUnfused) {
  const kernel_table& k = *table_;
  const std::size_t m = 40, n = 50, k_depth = 300;
  test_rng rng(5);
  std::vector<float> x(m * k_depth), w(k_depth * n), b(n);
  for (float& v : x) v = rng.uniform(-1.0f, 1.0f);
  for (float& v : w) v = rng.uniform(-1.0f, 1.0f);
  for (float& v : b) v = rng.uniform(-1.0f, 1.0f);
  x[3 * k_depth + 7] = std::bit_cast<float>(0x7FC00000u);
  x[11 * k_depth + 260] = std::bit_cast<float>(0x7F800000u);
  b[4] = std::bit_cast<float>(0xFF800000u);
  for (activation act : kElementwise) {
    std::vector<float> z(m * n), a(m * n), z_ref(m * n), a_ref(m * n);
    std::vector<float> workspace(kernels::sgemm_workspace_floats(k.blocking, m, n, k_depth) + 16);
    k.sgemm_bias_activation(m, n, k_depth, x.data(), k_depth, w.data(), n, b.data(), z.data(), n,
                            a.data(), n, act, 0.01f, workspace.data());
    for (std::size_t i = 0; i < m; ++i) std::memcpy(&z_ref[i * n], b.data(), n * 4);
    k.sgemm(false, false, m, n, k_depth, 1.0f, x.data(), k_depth, w.data(), n, 1.0f, z_ref.data(),
            n, workspace.data());
    activate_rows(k, act, 0.01f, z_ref.data(), n, a_ref.data(), n, m, n);
    EXPECT_EQ(bits_of(z), bits_of(z_ref)) << k.name << " " << activation_name(act);
    EXPECT_EQ(bits_of(a), bits_of(a_ref)) << k.name << " " << activation_name(act);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryIsa, SgemmEpilogueTest, ::testing::ValuesIn(testing::all_isas()),
                         testing::isa_param_name);

}  // namespace
}  // namespace simdnn
