// SGEMM against a double-precision reference, in the spirit of the reference BLAS level-3 tests:
// every shape class (empty, tiny, register-tile and cache-block edges), all four transpose
// combinations, alpha in {0, 1, 0.7}, beta in {0, 1, 1.3}, padded leading dimensions whose
// padding must stay bitwise untouched, A and B unchanged, NaN-filled C with beta == 0. On every
// ISA this CPU runs.
//
// Tolerance, per element: |c - ref| <= (k + 2) * FLT_EPSILON * (|alpha| sum_p |a b| + |beta c0|).
// Each of the k products and sums in float contributes at most one rounding of relative size
// FLT_EPSILON / 2 to a partial sum bounded by sum |a b| (the classic gamma_k bound, k * u), the
// alpha scaling and the beta update add two more; FLT_EPSILON instead of u leaves a factor-2
// margin for the blocked summation order.
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/gemm/path.hpp"
#include "simdnn/sgemm.hpp"
#include "test_support.hpp"

namespace simdnn {
namespace {

using kernels::kernel_table;
using testing::test_rng;

// A quiet NaN with a recognisable payload: padding must keep exactly these bits.
float sentinel() {
  const std::uint32_t bits = 0x7FC0DEADu;
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

bool same_bits(float a, float b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

// A rows x cols matrix stored with leading dimension cols + pad; padding holds the sentinel.
// Values in [-1, 1), with some exact zeros of both signs: a zero product's sign is where a * b
// and the documented fma(a, b, +0) differ.
struct stored_matrix {
  std::size_t rows, cols, ld;
  std::vector<float> data;
  stored_matrix(std::size_t r, std::size_t c, std::size_t pad, test_rng& rng)
      : rows(r), cols(c), ld(c + pad), data(r * (c + pad) + 1, sentinel()) {
    for (std::size_t i = 0; i < rows; ++i) {
      for (std::size_t j = 0; j < cols; ++j) {
        const std::size_t index = i * ld + j;
        data[index] = index % 17 == 5 ? -0.0f : index % 19 == 7 ? 0.0f : rng.uniform(-1.0f, 1.0f);
      }
    }
  }
  float at(std::size_t i, std::size_t j) const { return data[i * ld + j]; }
  bool is_padding(std::size_t index) const { return index >= rows * ld || index % ld >= cols; }
};

struct gemm_case {
  bool ta, tb;
  std::size_t m, n, k;
  float alpha, beta;
  std::size_t pad = 3;
  bool nan_c = false;  // fill C with NaN (only meaningful with beta == 0)
};

// The stored A, B and C of a case, drawn from `seed` in that order: op(A) is m x k (stored
// k x m when transposed), op(B) k x n (stored n x k), C m x n.
struct case_operands {
  stored_matrix a, b, c;
  case_operands(const gemm_case& g, std::uint64_t seed) : case_operands(g, test_rng(seed)) {}

 private:
  case_operands(const gemm_case& g, test_rng&& rng)
      : a(g.ta ? g.k : g.m, g.ta ? g.m : g.k, g.pad, rng),
        b(g.tb ? g.n : g.k, g.tb ? g.k : g.n, g.pad, rng),
        c(g.m, g.n, g.pad, rng) {}
};

std::string describe(const gemm_case& g) {
  return std::string("op_a=") + (g.ta ? "T" : "N") + " op_b=" + (g.tb ? "T" : "N") +
         " m=" + std::to_string(g.m) + " n=" + std::to_string(g.n) + " k=" + std::to_string(g.k) +
         " alpha=" + std::to_string(g.alpha) + " beta=" + std::to_string(g.beta) +
         " pad=" + std::to_string(g.pad) + (g.nan_c ? " C=NaN" : "");
}

// The documented orders of operations (lib/kernels/table.hpp, "Order of operations"), evaluated
// element by element in scalars: what each ISA's kernels must give bit for bit, on every path.
// `fused`: one rounding per fma (AVX2, AVX-512), else a multiply and an add (SSE2). Since every
// FMA ISA must equal this one reference, they agree with each other, which a machine with a
// single FMA ISA can prove too.
enum class gemm_order { blocked, single_row, one_row };

// Which order a path gives a case: the automatic choice follows lib/kernels/gemm/path.hpp; the
// small path's one-row loop (a row of C times B, or a contiguous column of C with op(A) = A^T)
// takes the two-chain order; the packed and unpacked blocked loops always the blocked one.
gemm_order order_of(const kernels::kernel_table& table, kernels::sgemm_fn kernel,
                    const gemm_case& g, std::size_t ldc) {
  using kernels::gemm::path;
  const path automatic = kernels::gemm::choose_path(g.ta, g.tb, g.m, g.n, g.k, g.alpha == 0.0f);
  if (kernel == table.sgemm && automatic == path::single_row) return gemm_order::single_row;
  const bool small =
      kernel == table.sgemm_small || (kernel == table.sgemm && automatic == path::small);
  if (!small) return gemm_order::blocked;
  if (g.n == 1) {
    return kernels::gemm::column_across_rows(g.ta, g.m, ldc) ? gemm_order::one_row
                                                             : gemm_order::blocked;
  }
  return g.m == 1 ? gemm_order::one_row : gemm_order::blocked;
}

std::vector<float> documented_order(const gemm_case& g, const stored_matrix& a,
                                    const stored_matrix& b, const std::vector<float>& c0,
                                    std::size_t ldc, bool fused, gemm_order order) {
  const auto fma = [fused](float x, float y, float z) {
    return fused ? std::fma(x, y, z) : x * y + z;
  };
  auto op_a = [&](std::size_t i, std::size_t p) { return g.ta ? a.at(p, i) : a.at(i, p); };
  auto op_b = [&](std::size_t p, std::size_t j) { return g.tb ? b.at(j, p) : b.at(p, j); };
  std::vector<float> c = c0;
  constexpr std::size_t kc = kernels::kReproducibleKc, lanes = kernels::kDotLanes;
  for (std::size_t i = 0; i < g.m; ++i) {
    for (std::size_t j = 0; j < g.n; ++j) {
      float& cij = c[i * ldc + j];
      if (g.k == 0 || g.alpha == 0.0f) {
        if (g.beta != 1.0f) cij = g.beta == 0.0f ? 0.0f : cij * g.beta;
        continue;
      }
      if (order == gemm_order::single_row) {
        float s[lanes] = {};
        const std::size_t padded = (g.k + lanes - 1) / lanes * lanes;
        for (std::size_t p = 0; p < padded; ++p) {
          // Past k the lanes still take fma(0, 0, s) (a -0 becomes +0).
          s[p % lanes] =
              p < g.k ? fma(op_a(i, p), op_b(p, j), s[p % lanes]) : fma(0.0f, 0.0f, s[p % lanes]);
        }
        float t8[8], t4[4];
        for (std::size_t l = 0; l < 8; ++l) t8[l] = s[l] + s[l + 8];
        for (std::size_t l = 0; l < 4; ++l) t4[l] = t8[l] + t8[l + 4];
        const float sum = (t4[0] + t4[2]) + (t4[1] + t4[3]);
        const float t = sum * g.alpha;
        cij = g.beta == 0.0f ? t : fma(g.beta, cij, t);
        continue;
      }
      for (std::size_t pc = 0; pc < g.k; pc += kc) {
        float chain[2] = {0.0f, 0.0f};  // one_row: even and odd p of the block
        for (std::size_t p = pc; p < g.k && p < pc + kc; ++p) {
          float& acc = order == gemm_order::one_row ? chain[(p - pc) % 2] : chain[0];
          acc = fma(op_a(i, p), op_b(p, j), acc);
        }
        const float sum = order == gemm_order::one_row ? chain[0] + chain[1] : chain[0];
        const float t = sum * g.alpha;
        const float beta_block = pc == 0 ? g.beta : 1.0f;
        cij = beta_block == 0.0f ? t : fma(beta_block, cij, t);
      }
    }
  }
  return c;
}

// Runs one case through `kernel` and checks every element (against the double reference within
// the tolerance, and bitwise against the documented order), the padding and the inputs.
// Returns an empty string on success, else what went wrong first.
std::string run_case(const kernel_table& table, kernels::sgemm_fn kernel, const gemm_case& g,
                     std::uint64_t seed) {
  case_operands operands(g, seed);
  // Named references, not a structured binding: clang 14 cannot capture bindings in a lambda.
  const stored_matrix& a = operands.a;
  const stored_matrix& b = operands.b;
  stored_matrix& c = operands.c;
  if (g.nan_c) {
    for (std::size_t i = 0; i < g.m; ++i) {
      for (std::size_t j = 0; j < g.n; ++j)
        c.data[i * c.ld + j] = std::numeric_limits<float>::quiet_NaN();
    }
  }
  const std::vector<float> a0 = a.data, b0 = b.data, c0 = c.data;
  std::vector<float> workspace(kernels::sgemm_workspace_floats(table.blocking, g.m, g.n, g.k) + 1);
  // Offset by one float: the kernel must align inside the workspace itself.
  kernel(g.ta, g.tb, g.m, g.n, g.k, g.alpha, a.data.data(), a.ld, b.data.data(), b.ld, g.beta,
         c.data.data(), c.ld, workspace.data() + 1);

  auto op_a = [&](std::size_t i, std::size_t p) { return g.ta ? a.at(p, i) : a.at(i, p); };
  auto op_b = [&](std::size_t p, std::size_t j) { return g.tb ? b.at(j, p) : b.at(p, j); };
  const gemm_order order = order_of(table, kernel, g, c.ld);
  const std::vector<float> ordered =
      documented_order(g, a, b, c0, c.ld, table.id != isa::sse2, order);
  for (std::size_t i = 0; i < g.m; ++i) {
    for (std::size_t j = 0; j < g.n; ++j) {
      const std::size_t at = i * c.ld + j;
      if (!same_bits(c.data[at], ordered[at])) {
        return describe(g) + ": C(" + std::to_string(i) + "," + std::to_string(j) +
               ") = " + std::to_string(c.data[at]) + ", the documented order of operations gives " +
               std::to_string(ordered[at]) +
               (order == gemm_order::single_row ? " (16-lane single-row order)"
                : order == gemm_order::one_row  ? " (two-chain one-row order)"
                                                : " (blocked order)");
      }
      double dot = 0.0, magnitude = 0.0;
      for (std::size_t p = 0; p < g.k; ++p) {
        const double product = double(op_a(i, p)) * double(op_b(p, j));
        dot += product;
        magnitude += std::fabs(product);
      }
      const double old = c0[i * c.ld + j];
      double reference = double(g.alpha) * dot;
      double bound_base = std::fabs(double(g.alpha)) * magnitude;
      if (g.beta != 0.0f) {
        reference += double(g.beta) * old;
        bound_base += std::fabs(double(g.beta) * old);
      }
      const double tolerance = double(g.k + 2) * FLT_EPSILON * bound_base;
      const float got = c.data[i * c.ld + j];
      if (!(std::fabs(double(got) - reference) <= tolerance)) {
        return describe(g) + ": C(" + std::to_string(i) + "," + std::to_string(j) +
               ") = " + std::to_string(got) + ", reference " + std::to_string(reference) +
               ", tolerance " + std::to_string(tolerance);
      }
    }
  }
  for (std::size_t index = 0; index < c.data.size(); ++index) {
    if (c.is_padding(index) && !same_bits(c.data[index], c0[index])) {
      return describe(g) + ": C padding at offset " + std::to_string(index) + " was written";
    }
  }
  if (std::memcmp(a.data.data(), a0.data(), a0.size() * sizeof(float)) != 0) {
    return describe(g) + ": A was modified";
  }
  if (std::memcmp(b.data.data(), b0.data(), b0.size() * sizeof(float)) != 0) {
    return describe(g) + ": B was modified";
  }
  return {};
}

class SgemmTest : public ::testing::TestWithParam<isa> {
 protected:
  void SetUp() override {
    table_ = kernels::kernels_for(GetParam());
    if (table_ == nullptr) GTEST_SKIP() << isa_name(GetParam()) << " not supported on this CPU/OS";
  }

  // Runs every case through the kernel as dispatched, with A forced packed and unpacked and
  // through the small path without packing; stops at the first failure with a precise message.
  void run_all(const std::vector<gemm_case>& cases) {
    const struct {
      const char* name;
      kernels::sgemm_fn kernel;
    } variants[] = {{"automatic", table_->sgemm},
                    {"A packed", table_->sgemm_packed_a},
                    {"A unpacked", table_->sgemm_unpacked_a},
                    {"small path", table_->sgemm_small}};
    for (const auto& variant : variants) {
      std::uint64_t seed = 1;
      for (const gemm_case& g : cases) {
        const std::string failure = run_case(*table_, variant.kernel, g, seed++);
        ASSERT_TRUE(failure.empty()) << "[" << table_->name << " " << table_->gemm_tile << ", "
                                     << variant.name << "] " << failure;
      }
    }
    std::printf("[ %s %s ] %zu cases checked, each automatic, A packed, unpacked, small path\n",
                table_->name, table_->gemm_tile, cases.size());
  }

  const kernel_table* table_ = nullptr;
};

constexpr bool kTransposes[] = {false, true};
constexpr float kAlphas[] = {0.0f, 1.0f, 0.7f};
constexpr float kBetas[] = {0.0f, 1.0f, 1.3f};

TEST_P(SgemmTest, SmallShapesEveryTransposeAlphaBeta) {
  const std::size_t sizes[] = {0, 1, 2, 3, 5, 9};
  std::vector<gemm_case> cases;
  for (bool ta : kTransposes)
    for (bool tb : kTransposes)
      for (std::size_t m : sizes)
        for (std::size_t n : sizes)
          for (std::size_t k : sizes)
            for (float alpha : kAlphas)
              for (float beta : kBetas) cases.push_back({ta, tb, m, n, k, alpha, beta});
  run_all(cases);
}

TEST_P(SgemmTest, RegisterTileAndCacheBlockEdges) {
  const auto& bl = table_->blocking;
  const std::size_t ms[] = {bl.mr - 1, bl.mr, bl.mr + 1, bl.mc + 1};
  const std::size_t ns[] = {bl.nr - 1, bl.nr, bl.nr + 1};
  const std::size_t ks[] = {bl.kc - 1, bl.kc + 1};
  std::vector<gemm_case> cases;
  for (bool ta : kTransposes)
    for (bool tb : kTransposes)
      for (std::size_t m : ms)
        for (std::size_t n : ns)
          for (std::size_t k : ks) {
            cases.push_back({ta, tb, m, n, k, 1.0f, 0.0f});
            cases.push_back({ta, tb, m, n, k, 0.7f, 1.3f});
          }
  run_all(cases);
}

TEST_P(SgemmTest, DepthEdgesWithTinyTiles) {
  const auto& bl = table_->blocking;
  std::vector<gemm_case> cases;
  for (bool ta : kTransposes)
    for (bool tb : kTransposes)
      for (std::size_t m : {std::size_t{1}, bl.mr + 1})
        for (std::size_t n : {std::size_t{1}, bl.nr + 1})
          for (std::size_t k : {bl.kc - 1, bl.kc, bl.kc + 1, 2 * bl.kc + 1})
            for (float alpha : kAlphas)
              for (float beta : kBetas) cases.push_back({ta, tb, m, n, k, alpha, beta});
  run_all(cases);
}

TEST_P(SgemmTest, WideCBeyondOneColumnBlock) {
  const auto& bl = table_->blocking;
  std::vector<gemm_case> cases;
  for (bool ta : kTransposes)
    for (bool tb : kTransposes) {
      cases.push_back({ta, tb, bl.mr + 1, bl.nc + 1, 9, 0.7f, 1.3f});
      cases.push_back({ta, tb, 2, bl.nc + bl.nr + 1, 3, 1.0f, 0.0f});
    }
  run_all(cases);
}

TEST_P(SgemmTest, SingleRowStreamsB) {
  // m == 1 (one sample through a layer) takes a path without packing: four-vector column chunks,
  // single vectors and scalars for op(B) = B, dot products along k for op(B) = B^T.
  std::vector<gemm_case> cases;
  for (bool ta : kTransposes)
    for (bool tb : kTransposes)
      for (std::size_t n : {std::size_t{1}, std::size_t{31}, std::size_t{32}, std::size_t{64},
                            std::size_t{75}, std::size_t{100}})
        for (std::size_t k : {std::size_t{1}, std::size_t{4}, std::size_t{15}, std::size_t{16},
                              std::size_t{17}, std::size_t{300}})
          for (float alpha : kAlphas)
            for (float beta : kBetas) cases.push_back({ta, tb, 1, n, k, alpha, beta});
  run_all(cases);
}

TEST_P(SgemmTest, SmallPathEveryTileRemainderAndTail) {
  // The small path forced at every shape (lib/kernels/gemm/small.hpp): m across every
  // remainder of the MR-row tiles (run as 8/4/2/1-row tiles), n across every tail width of one-,
  // two- and (m == 1) four-vector panels and n == 1 (scalar dots; across rows when op(A) = A^T
  // and ldc == 1, i.e. pad 0), k = 1 (outer product), short (the last rows of B are loaded
  // partially; with ld = n + pad small, several are) and long; both transposes (op(B) = B^T through
  // the transposed copy), alpha and beta variants, ld = cols and ld > cols, and the shapes of a
  // small network's layers.
  const auto& bl = table_->blocking;
  const std::size_t width = bl.nr / 2;
  std::vector<std::size_t> ms, ns;
  for (std::size_t m = 1; m <= 2 * bl.mr + 1; ++m) ms.push_back(m);
  ms.push_back(4 * bl.mr + 3);
  for (std::size_t n = 1; n <= 2 * bl.nr + 1; ++n) ns.push_back(n);
  ns.push_back(4 * width + 1);
  std::vector<gemm_case> cases;
  for (bool ta : kTransposes)
    for (bool tb : kTransposes) {
      for (std::size_t m : ms)
        for (std::size_t n : ns)
          for (std::size_t k :
               {std::size_t{1}, std::size_t{2}, std::size_t{4}, std::size_t{7}, std::size_t{33}}) {
            cases.push_back({ta, tb, m, n, k, 1.0f, 0.0f, 0});
            cases.push_back({ta, tb, m, n, k, 0.7f, 1.3f, 1});
          }
      for (float alpha : kAlphas)
        for (float beta : kBetas)
          for (std::size_t pad : {std::size_t{0}, std::size_t{5}}) {
            cases.push_back({ta, tb, 150, 10, 4, alpha, beta, pad});
            cases.push_back({ta, tb, 150, 3, 10, alpha, beta, pad});
            cases.push_back({ta, tb, 150, 1, 3, alpha, beta, pad});
            cases.push_back({ta, tb, 4, 10, 150, alpha, beta, pad});
            cases.push_back({ta, tb, 3, 1, 150, alpha, beta, pad});
            cases.push_back({ta, tb, 1, 64, 64, alpha, beta, pad});
            cases.push_back({ta, tb, 64, 64, 1, alpha, beta, pad});
          }
      gemm_case nan_c{ta, tb, 13, 2 * bl.nr + 3, 5, 0.7f, 0.0f, 2};
      nan_c.nan_c = true;
      cases.push_back(nan_c);
    }
  run_all(cases);
}

TEST_P(SgemmTest, BetaZeroNeverReadsNanInC) {
  std::vector<gemm_case> cases;
  for (bool ta : kTransposes)
    for (bool tb : kTransposes)
      for (std::size_t m : {std::size_t{1}, std::size_t{7}, std::size_t{13}})
        for (std::size_t n : {std::size_t{1}, std::size_t{17}, std::size_t{33}})
          for (std::size_t k : {std::size_t{0}, std::size_t{1}, std::size_t{20}})
            for (float alpha : kAlphas) {
              gemm_case g{ta, tb, m, n, k, alpha, 0.0f};
              g.nan_c = true;
              cases.push_back(g);
            }
  run_all(cases);
}

TEST_P(SgemmTest, ZeroAlphaOrDepthNeverReadsAOrB) {
  // A and B full of NaN (and, for k == 0, null): the result must be exactly beta * C.
  const std::vector<float> poisoned(64, std::numeric_limits<float>::quiet_NaN());
  std::vector<float> workspace(kernels::sgemm_workspace_floats(table_->blocking, 4, 4, 4));
  for (float beta : kBetas) {
    std::vector<float> c(16, 2.0f);
    table_->sgemm(false, false, 4, 4, 4, 0.0f, poisoned.data(), 4, poisoned.data(), 4, beta,
                  c.data(), 4, workspace.data());
    for (float value : c) ASSERT_EQ(value, beta * 2.0f) << "alpha = 0, beta = " << beta;
    std::vector<float> c2(16, 2.0f);
    table_->sgemm(true, true, 4, 4, 0, 1.0f, nullptr, 4, nullptr, 4, beta, c2.data(), 4,
                  workspace.data());
    for (float value : c2) ASSERT_EQ(value, beta * 2.0f) << "k = 0, beta = " << beta;
  }
}

TEST_P(SgemmTest, MicroKernelAloneEveryDepthAndPartialTile) {
  // The register tile in isolation, on packed panels: every k from 0 to 2 * KC with the full
  // tile, and every partial tile shape rows x cols at every k up to 3 * NR and the block edges;
  // beta 0 (NaN in C) and 1.3; C with padding that must stay untouched.
  const auto& bl = table_->blocking;
  const std::size_t mr = bl.mr, nr = bl.nr, ldc = nr + 5;
  std::vector<std::size_t> depths;
  for (std::size_t k = 0; k <= 2 * bl.kc; ++k) depths.push_back(k);
  auto every_tile_at = [&](std::size_t k) {
    return k <= 3 * nr || k == bl.kc - 1 || k == bl.kc || k == bl.kc + 1 || k == 2 * bl.kc;
  };
  test_rng rng(42);
  std::size_t checked = 0;
  for (std::size_t k : depths) {
    std::vector<float> a_panel(mr * k + 1), b_store(nr * k + 16);
    for (float& v : a_panel) v = rng.uniform(-1, 1);
    // The B panel must be 64-byte aligned: place it inside an over-allocated buffer.
    float* b_panel = b_store.data();
    while (reinterpret_cast<std::uintptr_t>(b_panel) % 64 != 0) ++b_panel;
    for (std::size_t i = 0; i < nr * k; ++i) b_panel[i] = rng.uniform(-1, 1);
    for (std::size_t rows = every_tile_at(k) ? 1 : mr; rows <= mr; ++rows) {
      for (std::size_t cols = every_tile_at(k) ? 1 : nr; cols <= nr; ++cols) {
        for (float beta : {0.0f, 1.3f}) {
          std::vector<float> c(mr * ldc, sentinel());
          for (std::size_t i = 0; i < rows; ++i) {
            for (std::size_t j = 0; j < cols; ++j) {
              c[i * ldc + j] =
                  beta == 0.0f ? std::numeric_limits<float>::quiet_NaN() : rng.uniform(-1, 1);
            }
          }
          const std::vector<float> c0 = c;
          const float alpha = 0.7f;
          table_->sgemm_micro_kernel(k, a_panel.data(), b_panel, c.data(), ldc, alpha, beta, rows,
                                     cols);
          for (std::size_t index = 0; index < c.size(); ++index) {
            const std::size_t i = index / ldc, j = index % ldc;
            if (i >= rows || j >= cols) {
              ASSERT_TRUE(same_bits(c[index], c0[index]))
                  << "k=" << k << " tile " << rows << "x" << cols << ": wrote outside at (" << i
                  << "," << j << ")";
              continue;
            }
            double dot = 0.0, magnitude = 0.0;
            for (std::size_t p = 0; p < k; ++p) {
              const double product = double(a_panel[p * mr + i]) * double(b_panel[p * nr + j]);
              dot += product;
              magnitude += std::fabs(product);
            }
            double reference = alpha * dot, bound = alpha * magnitude;
            if (beta != 0.0f) {
              reference += double(beta) * c0[index];
              bound += std::fabs(double(beta) * c0[index]);
            }
            ASSERT_LE(std::fabs(double(c[index]) - reference), double(k + 2) * FLT_EPSILON * bound)
                << "k=" << k << " tile " << rows << "x" << cols << " beta=" << beta << " at (" << i
                << "," << j << ")";
            ++checked;
          }
        }
      }
    }
  }
  std::printf("[ %s %s ] micro-kernel: k = 0..%zu, %zu elements checked\n", table_->name,
              table_->gemm_tile, 2 * bl.kc, checked);
}

// The premise of the cross-ISA contract that every machine can check
// (lib/kernels/gemm/dispatch.hpp, "Order of operations"): every path computes each element in the
// blocked order (KC blocks, one fma chain from +0 per block, alpha, then beta), so the tile shapes,
// the small path's loops and the decision between them, which all depend on the ISA, cannot change
// a bit. The reference is the blocked kernel with A always packed; the documented exceptions (a
// single row of C, a contiguous single column of an A^T product: their own ISA-independent
// orders, checked in run_case) are left out.
TEST_P(SgemmTest, EveryPathGivesTheBitsOfTheBlockedOrder) {
  std::vector<gemm_case> cases;
  const std::size_t sizes[] = {1, 2, 3, 7, 9, 13, 17, 33};
  for (bool ta : kTransposes)
    for (bool tb : kTransposes) {
      for (std::size_t m : sizes)
        for (std::size_t n : sizes)
          for (std::size_t k : {std::size_t{1}, std::size_t{2}, std::size_t{5}, std::size_t{10},
                                std::size_t{33}, std::size_t{257}}) {
            cases.push_back({ta, tb, m, n, k, 0.7f, 1.3f, 1});
            cases.push_back({ta, tb, m, n, k, 1.0f, 0.0f, 0});
          }
      for (std::size_t k : {std::size_t{4}, std::size_t{10}, std::size_t{150}, std::size_t{600}}) {
        cases.push_back({ta, tb, 150, 10, k, 1.0f, 1.0f, 0});
        cases.push_back({ta, tb, 150, 3, k, 1.0f, 0.0f, 0});
        cases.push_back({ta, tb, 150, 1, k, 0.7f, 1.3f, 0});
        cases.push_back({ta, tb, 2, 3, k * 4, 0.7f, 1.3f, 0});
      }
    }
  std::size_t compared = 0;
  std::uint64_t seed = 1;
  for (const gemm_case& g : cases) {
    case_operands operands(g, seed++);
    // Named references, not a structured binding: clang 14 cannot capture bindings in a lambda.
    const stored_matrix& a = operands.a;
    const stored_matrix& b = operands.b;
    const stored_matrix& c = operands.c;
    std::vector<float> workspace(kernels::sgemm_workspace_floats(table_->blocking, g.m, g.n, g.k));
    auto run = [&](kernels::sgemm_fn kernel) {
      std::vector<float> out = c.data;
      kernel(g.ta, g.tb, g.m, g.n, g.k, g.alpha, a.data.data(), a.ld, b.data.data(), b.ld, g.beta,
             out.data(), c.ld, workspace.data());
      return out;
    };
    const std::vector<float> reference = run(table_->sgemm_packed_a);
    const struct {
      const char* name;
      kernels::sgemm_fn kernel;
    } paths[] = {{"automatic", table_->sgemm},
                 {"A unpacked", table_->sgemm_unpacked_a},
                 {"small path", table_->sgemm_small}};
    for (const auto& path : paths) {
      // The documented exceptions (single rows, contiguous single columns of A^T products)
      // have their own orders, checked against their scalar references in run_case.
      if (order_of(*table_, path.kernel, g, c.ld) != gemm_order::blocked) continue;
      const std::vector<float> got = run(path.kernel);
      for (std::size_t i = 0; i < got.size(); ++i) {
        ASSERT_TRUE(same_bits(got[i], reference[i]))
            << "[" << table_->name << "] " << describe(g) << ": " << path.name << " gives "
            << got[i] << " at offset " << i << ", the blocked order " << reference[i];
      }
      ++compared;
    }
  }
  std::printf("[ %s ] %zu results bitwise equal to the blocked order\n", table_->name, compared);
}

// The thread pool hands each thread an NR-wide share of columns (lib/sgemm.cpp); whatever the
// share (NR differs by ISA), every element is bitwise the unsplit call's.
TEST_P(SgemmTest, AnyColumnSplitGivesTheUnsplitBits) {
  const gemm_case shapes[] = {{false, false, 256, 256, 256, 0.7f, 1.3f},
                              {true, false, 301, 203, 97, 0.7f, 1.3f},
                              {false, true, 129, 517, 70, 0.7f, 1.3f},
                              {true, true, 160, 160, 170, 0.7f, 1.3f},
                              {false, true, 1, 300, 700, 1.0f, 0.0f},
                              {true, false, 1, 1000, 600, 1.0f, 1.0f},
                              {false, false, 40, 100, 30, 1.0f, 0.0f},
                              // Whole blocked, shares small (k past KC in the second).
                              {false, false, 64, 200, 40, 1.0f, 1.0f},
                              {false, true, 8, 200, 260, 0.7f, 1.3f}};
  std::uint64_t seed = 50;
  for (const gemm_case& g : shapes) {
    case_operands operands(g, seed++);
    const stored_matrix& a = operands.a;
    const stored_matrix& b = operands.b;
    const stored_matrix& c = operands.c;
    std::vector<float> workspace(kernels::sgemm_workspace_floats(table_->blocking, g.m, g.n, g.k));
    std::vector<float> whole = c.data;
    table_->sgemm(g.ta, g.tb, g.m, g.n, g.k, g.alpha, a.data.data(), a.ld, b.data.data(), b.ld,
                  g.beta, whole.data(), c.ld, workspace.data());
    for (std::size_t share :
         {std::size_t{8}, std::size_t{16}, std::size_t{32}, std::size_t{48}, std::size_t{96}}) {
      std::vector<float> split = c.data;
      for (std::size_t first = 0; first < g.n; first += share) {
        const std::size_t cols = first + share < g.n ? share : g.n - first;
        const float* b_part = g.tb ? b.data.data() + first * b.ld : b.data.data() + first;
        table_->sgemm(g.ta, g.tb, g.m, cols, g.k, g.alpha, a.data.data(), a.ld, b_part, b.ld,
                      g.beta, split.data() + first, c.ld, workspace.data());
      }
      for (std::size_t i = 0; i < split.size(); ++i) {
        ASSERT_TRUE(same_bits(split[i], whole[i]))
            << "[" << table_->name << "] " << describe(g) << " in shares of " << share
            << " columns: offset " << i << " is " << split[i] << ", unsplit " << whole[i];
      }
    }
  }
}

// ---- Which loop runs (lib/kernels/gemm/path.hpp): the decisions, shape by shape ----

TEST(GemmPath, TopLevelChoice) {
  using kernels::gemm::choose_path;
  using kernels::gemm::path;
  EXPECT_EQ(choose_path(false, false, 0, 5, 5, false), path::nothing);
  EXPECT_EQ(choose_path(false, false, 5, 0, 5, false), path::nothing);
  EXPECT_EQ(choose_path(false, false, 5, 5, 0, false), path::scale_c);
  EXPECT_EQ(choose_path(true, true, 5, 5, 5, true), path::scale_c);
  // One row of C: B's rows streamed (op(B) = B) at any size, dot products for op(B) = B^T unless
  // a strided op(A) is longer than the gather allows.
  EXPECT_EQ(choose_path(false, false, 1, 100000, 5000, false), path::small);
  EXPECT_EQ(choose_path(false, true, 1, 64, 100000, false), path::single_row);
  EXPECT_EQ(choose_path(true, true, 1, 64, kernels::gemm::kSingleRowMaxGather, false),
            path::single_row);
  EXPECT_EQ(choose_path(true, true, 1, 64, kernels::gemm::kSingleRowMaxGather + 1, false),
            path::blocked);
  // Tiny products (the Iris network's layers) skip packing; 64^3 is the edge.
  EXPECT_EQ(choose_path(false, false, 150, 10, 4, false), path::small);
  EXPECT_EQ(choose_path(true, false, 4, 10, 150, false), path::small);
  EXPECT_EQ(choose_path(false, false, 64, 64, 64, false), path::small);
  EXPECT_EQ(choose_path(false, false, 64, 64, 65, false), path::blocked);
  EXPECT_EQ(choose_path(false, false, 2, 2, 2048, false), path::small);    // (m + n) k = 8192
  EXPECT_EQ(choose_path(false, false, 4, 4, 2048, false), path::blocked);  // 16384 floats
  EXPECT_EQ(choose_path(false, false, 256, 256, 256, false), path::blocked);
}

TEST(GemmPath, SmallLoopsAndBlockedChoices) {
  using namespace kernels::gemm;
  const geometry avx2{8, 6, 16}, avx512{16, 12, 32};
  EXPECT_EQ(choose_small_loop(1, 64, 64, avx2), small_loop::one_row);
  EXPECT_EQ(choose_small_loop(1, 10, 1, avx2), small_loop::one_row);
  EXPECT_EQ(choose_small_loop(1, 10, 4, avx2), small_loop::b_in_registers_2);  // two chains
  EXPECT_EQ(choose_small_loop(1, 10, 4, avx512), small_loop::b_in_registers_1);
  EXPECT_EQ(choose_small_loop(150, 10, 1, avx2), small_loop::outer_product);
  EXPECT_EQ(choose_small_loop(150, 3, 10, avx2), small_loop::b_in_registers_1);
  EXPECT_EQ(choose_small_loop(150, 10, 4, avx2), small_loop::b_in_registers_2);
  EXPECT_EQ(choose_small_loop(150, 10, 4, avx512), small_loop::b_in_registers_1);
  EXPECT_EQ(choose_small_loop(150, 10, 6, avx2), small_loop::row_tiles);
  EXPECT_EQ(choose_small_loop(150, 3, 11, avx2), small_loop::row_tiles);
  EXPECT_TRUE(column_across_rows(true, 5, 1));
  EXPECT_FALSE(column_across_rows(true, 1, 1));
  EXPECT_FALSE(column_across_rows(false, 5, 1));
  EXPECT_FALSE(column_across_rows(true, 5, 2));
  // A packed only for C wider than 4 panels; B in place for few rows unless its stride is a
  // multiple of 2 KiB; forced policies never read B in place.
  EXPECT_FALSE(pack_a(a_packing::automatic, 64, avx2));
  EXPECT_TRUE(pack_a(a_packing::automatic, 65, avx2));
  EXPECT_FALSE(pack_a(a_packing::automatic, 65, avx512));
  EXPECT_TRUE(pack_a(a_packing::always, 1, avx2));
  EXPECT_FALSE(pack_a(a_packing::never, 4096, avx2));
  EXPECT_TRUE(b_in_place(a_packing::automatic, false, 64, 784));
  EXPECT_FALSE(b_in_place(a_packing::automatic, false, 65, 784));
  EXPECT_FALSE(b_in_place(a_packing::automatic, false, 32, 1024));
  EXPECT_FALSE(b_in_place(a_packing::automatic, true, 32, 784));
  EXPECT_FALSE(b_in_place(a_packing::always, false, 32, 784));
  EXPECT_TRUE(narrow_tile(16, avx512));
  EXPECT_FALSE(narrow_tile(17, avx512));
  EXPECT_FALSE(narrow_tile(8, geometry{8, 6, 8}));  // NR of one vector: nothing narrower
  EXPECT_TRUE(prefetch_c(64));
  EXPECT_FALSE(prefetch_c(63));
}

INSTANTIATE_TEST_SUITE_P(EveryIsa, SgemmTest, ::testing::ValuesIn(testing::all_isas()),
                         testing::isa_param_name);

// ---- The public entry points: validation and workspace handling (active ISA) ----

template <class F>
std::string error_of(F&& call) {
  try {
    call();
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "(no exception)";
}

TEST(SgemmApi, RejectsInvalidArgumentsAndLeavesCUntouched) {
  std::vector<float> a(64, 1.0f), b(64, 1.0f), c(64, 5.0f);
  const std::vector<float> c0 = c;
  EXPECT_NE(error_of([&] {
              sgemm(op::none, op::none, 4, 4, 4, 1, a.data(), 3, b.data(), 4, 0, c.data(), 4);
            }).find("lda (3) is smaller than the row length of A (4)"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              sgemm(op::transpose, op::none, 2, 4, 4, 1, a.data(), 1, b.data(), 4, 0, c.data(), 4);
            }).find("lda (1) is smaller than the row length of A (2)"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              sgemm(op::none, op::transpose, 4, 5, 3, 1, a.data(), 3, b.data(), 2, 0, c.data(), 5);
            }).find("ldb (2) is smaller than the row length of B (3)"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              sgemm(op::none, op::none, 4, 4, 4, 1, a.data(), 4, b.data(), 4, 0, c.data(), 3);
            }).find("ldc (3)"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              sgemm(op::none, op::none, 4, 4, 4, 1, nullptr, 4, b.data(), 4, 0, c.data(), 4);
            }).find("a is null"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              sgemm(op::none, op::none, 4, 4, 4, 1, a.data(), 4, b.data(), 4, 0, nullptr, 4);
            }).find("c is null"),
            std::string::npos);
  const std::size_t huge = std::numeric_limits<std::size_t>::max() / 2;
  EXPECT_NE(error_of([&] {
              sgemm(op::none, op::none, 4, 4, 4, 1, a.data(), huge, b.data(), 4, 0, c.data(), 4);
            }).find("overflows"),
            std::string::npos);
  EXPECT_EQ(c, c0) << "a rejected call must not touch C";
}

TEST(SgemmApi, EmptyProblemsTouchNothing) {
  // m == 0 or n == 0: nothing is read or written, so null pointers are fine.
  EXPECT_NO_THROW(sgemm(op::none, op::none, 0, 4, 4, 1, nullptr, 4, nullptr, 4, 0, nullptr, 4));
  EXPECT_NO_THROW(sgemm(op::none, op::none, 4, 0, 4, 1, nullptr, 4, nullptr, 0, 0, nullptr, 0));
  // alpha == 0: A and B are not read, so they may be null.
  std::vector<float> c(4, 3.0f);
  sgemm(op::none, op::none, 2, 2, 7, 0.0f, nullptr, 7, nullptr, 2, 2.0f, c.data(), 2);
  EXPECT_EQ(c, std::vector<float>(4, 6.0f));
}

TEST(SgemmApi, CallerWorkspaceMustBeLargeEnough) {
  const std::size_t m = 37, n = 29, k = 300;
  test_rng rng(7);
  std::vector<float> a(m * k), b(k * n), c1(m * n, 0.0f), c2(m * n, 0.0f);
  for (float& x : a) x = rng.uniform(-1, 1);
  for (float& x : b) x = rng.uniform(-1, 1);
  const std::size_t bytes = sgemm_workspace_size(m, n, k);
  ASSERT_GT(bytes, 0u);
  std::vector<std::byte> workspace(bytes + 3);
  // Misaligned on purpose: any alignment is accepted.
  sgemm(op::none, op::none, m, n, k, 1, a.data(), k, b.data(), n, 0, c1.data(), n,
        std::span<std::byte>(workspace).subspan(3, bytes));
  sgemm(op::none, op::none, m, n, k, 1, a.data(), k, b.data(), n, 0, c2.data(), n);
  EXPECT_EQ(c1, c2) << "both forms run the same kernel";
  EXPECT_NE(error_of([&] {
              sgemm(op::none, op::none, m, n, k, 1, a.data(), k, b.data(), n, 0, c1.data(), n,
                    std::span<std::byte>(workspace).first(bytes - 1));
            }).find("workspace of"),
            std::string::npos);
  EXPECT_EQ(sgemm_workspace_size(0, 5, 5), 0u);
}

// A workspace at every byte offset, on a shape that packs both A and B with aligned vector
// stores: the kernel must find its 64-byte aligned start inside any span of bytes.
TEST(SgemmApi, CallerWorkspaceAtAnyByteOffset) {
  const std::size_t m = 100, n = 200, k = 300;
  test_rng rng(8);
  std::vector<float> a(m * k), b(k * n), expected(m * n, 0.0f);
  for (float& x : a) x = rng.uniform(-1, 1);
  for (float& x : b) x = rng.uniform(-1, 1);
  sgemm(op::none, op::none, m, n, k, 1, a.data(), k, b.data(), n, 0, expected.data(), n);
  const std::size_t bytes = sgemm_workspace_size(m, n, k);
  std::vector<std::byte> workspace(bytes + 64);
  for (std::size_t offset = 0; offset < 64; offset += 7) {
    std::vector<float> c(m * n, 0.0f);
    sgemm(op::none, op::none, m, n, k, 1, a.data(), k, b.data(), n, 0, c.data(), n,
          std::span<std::byte>(workspace).subspan(offset, bytes));
    ASSERT_EQ(c, expected) << "workspace at byte offset " << offset;
  }
}

}  // namespace
}  // namespace simdnn

namespace simdnn {
namespace {

TEST(SgemmThreads, TwoThreadsGiveBitwiseTheSameResult) {
  ASSERT_EQ(sgemm_threads(), 1u) << "single-threaded by default";
  struct shape {
    op op_a, op_b;
    std::size_t m, n, k;
  };
  // Above the parallel threshold (m n k >= 2^22), with edge tiles in both halves.
  const shape shapes[] = {{op::none, op::none, 256, 256, 256},
                          {op::transpose, op::none, 301, 203, 97},
                          {op::none, op::transpose, 129, 517, 70},
                          {op::transpose, op::transpose, 160, 160, 170}};
  for (const shape& s : shapes) {
    testing::test_rng rng(s.m * 31 + s.n);
    std::vector<float> a(s.m * s.k), b(s.k * s.n), c0(s.m * s.n);
    for (float& v : a) v = rng.uniform(-1, 1);
    for (float& v : b) v = rng.uniform(-1, 1);
    for (float& v : c0) v = rng.uniform(-1, 1);
    const std::size_t lda = s.op_a == op::transpose ? s.m : s.k;
    const std::size_t ldb = s.op_b == op::transpose ? s.k : s.n;
    std::vector<float> single = c0, parallel = c0;
    set_sgemm_threads(1);
    sgemm(s.op_a, s.op_b, s.m, s.n, s.k, 0.7f, a.data(), lda, b.data(), ldb, 1.3f, single.data(),
          s.n);
    set_sgemm_threads(2);
    ASSERT_EQ(sgemm_threads(), 2u);
    std::vector<std::byte> workspace(sgemm_workspace_size(s.m, s.n, s.k));
    for (int repeat = 0; repeat < 3; ++repeat) {
      parallel = c0;
      sgemm(s.op_a, s.op_b, s.m, s.n, s.k, 0.7f, a.data(), lda, b.data(), ldb, 1.3f,
            parallel.data(), s.n, workspace);
      ASSERT_EQ(std::memcmp(single.data(), parallel.data(), single.size() * sizeof(float)), 0)
          << "m=" << s.m << " n=" << s.n << " k=" << s.k << " repeat " << repeat;
    }
    set_sgemm_threads(1);
  }
  EXPECT_EQ(sgemm_threads(), 1u);
  EXPECT_THROW(set_sgemm_threads(0), std::invalid_argument);
  EXPECT_THROW(set_sgemm_threads(65), std::invalid_argument);
}

}  // namespace
}  // namespace simdnn
