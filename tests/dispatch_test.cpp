// Runtime dispatch: the active ISA is supported, the cap is honoured, tables are consistent.
#include <cstdlib>
#include <string_view>

#include "test_support.hpp"

namespace simdnn {
namespace {

TEST(Dispatch, ReportsTheActiveIsa) {
  const isa active = active_isa();
  RecordProperty("active_isa", isa_name(active));
  std::printf("active ISA: %s; supported:", isa_name(active));
  for (isa which : supported_isas()) std::printf(" %s", isa_name(which));
  std::printf("\n");
  EXPECT_TRUE(isa_supported(active));
  ASSERT_FALSE(supported_isas().empty());
  EXPECT_EQ(supported_isas().front(), isa::sse2) << "SSE2 is the x86-64 baseline";
}

TEST(Dispatch, HonoursTheEnvironmentCap) {
  const char* cap = std::getenv("SIMDNN_ISA");
  isa parsed{};
  if (cap == nullptr || !parse_isa(cap, parsed)) {
    EXPECT_EQ(active_isa(), supported_isas().back()) << "no cap: the best supported ISA";
  } else if (isa_supported(parsed)) {
    EXPECT_EQ(active_isa(), parsed);
  } else {
    EXPECT_EQ(active_isa(), supported_isas().back()) << "an unsupported cap falls back";
  }
}

TEST(Dispatch, ParsesIsaNames) {
  isa out{};
  for (isa which : {isa::sse2, isa::avx2, isa::avx512}) {
    ASSERT_TRUE(parse_isa(isa_name(which), out));
    EXPECT_EQ(out, which);
  }
  EXPECT_FALSE(parse_isa("avx", out));
  EXPECT_FALSE(parse_isa("", out));
  EXPECT_FALSE(parse_isa("SSE2", out));
}

TEST(Dispatch, TablesMatchTheirIsa) {
  for (isa which : {isa::sse2, isa::avx2, isa::avx512}) {
    const kernels::kernel_table* table = kernels::kernels_for(which);
    EXPECT_EQ(table != nullptr, isa_supported(which)) << isa_name(which);
    if (table == nullptr) continue;
    EXPECT_EQ(table->id, which);
    EXPECT_STREQ(table->name, isa_name(which));
    EXPECT_NE(table->sgemm, nullptr);
    EXPECT_NE(table->sigmoid, nullptr);
    EXPECT_EQ(table->blocking.mc % table->blocking.mr, 0u);
    EXPECT_EQ(table->blocking.nc % table->blocking.nr, 0u);
  }
  EXPECT_EQ(kernels::best_kernels().id, active_isa());
}

}  // namespace
}  // namespace simdnn
