# simdnn_bench_peers: simdnn's SGEMM against OpenBLAS and libxsmm in one process (issue 4).
# Included by bench/CMakeLists.txt with -DSIMDNN_BENCH_PEERS=ON. The peers are linked into this
# executable only, never into the simdnn library. Debian 12: apt-get install libopenblas-dev
# libxsmm-dev. The FMA peak comes from the same bench/arch objects as simdnn_bench.

# Debian's OpenBLAS config sets OpenBLAS_INCLUDE_DIRS and OpenBLAS_LIBRARIES (no target).
find_package(OpenBLAS CONFIG REQUIRED)
# libxsmm-dev installs a static libxsmm.a and a pkg-config file, no CMake package.
find_path(SIMDNN_LIBXSMM_INCLUDE_DIR libxsmm.h REQUIRED)
find_library(SIMDNN_LIBXSMM_LIBRARY NAMES xsmm REQUIRED)
find_package(Threads REQUIRED)

add_library(simdnn_bench_peer_libs INTERFACE)
# SYSTEM: the peers' headers are not held to simdnn's warning flags.
target_include_directories(simdnn_bench_peer_libs SYSTEM INTERFACE ${OpenBLAS_INCLUDE_DIRS}
                           ${SIMDNN_LIBXSMM_INCLUDE_DIR})
# libxsmm.a first: its BLAS fall-back references sgemm_, which OpenBLAS then satisfies (the
# benchmark never takes that fall-back, see peers/libxsmm_peer.hpp).
target_link_libraries(simdnn_bench_peer_libs INTERFACE ${SIMDNN_LIBXSMM_LIBRARY}
                      ${OpenBLAS_LIBRARIES} Threads::Threads ${CMAKE_DL_LIBS} rt m)

add_executable(simdnn_bench_peers ${CMAKE_CURRENT_LIST_DIR}/peers_bench.cpp
               ${CMAKE_CURRENT_SOURCE_DIR}/baselines.cpp ${SIMDNN_BENCH_ARCH_SOURCES})
target_include_directories(simdnn_bench_peers PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}
                           ${PROJECT_SOURCE_DIR}/lib)
target_compile_definitions(simdnn_bench_peers PRIVATE ${SIMDNN_BENCH_DEFINES})
target_link_libraries(simdnn_bench_peers PRIVATE simdnn::simdnn benchmark::benchmark
                      simdnn_bench_peer_libs simdnn_warnings)
