# simdnn_bench_peers: simdnn's SGEMM against OpenBLAS and libxsmm (issue 4), its network and
# predictor against Eigen 3.4 (issue 14), in one process. Included by bench/CMakeLists.txt with
# -DSIMDNN_BENCH_PEERS=ON. The peers are linked into this executable only, never into the simdnn
# library. Debian 12: apt-get install libopenblas-dev libxsmm-dev libeigen3-dev.
# The FMA peak comes from the same bench/arch objects as simdnn_bench.

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

# Eigen 3.4 MLP peers (peers/eigen_peer.hpp): one shared object per ISA simdnn compiles, with
# that ISA's flags (sse2: none, avx2: -mavx2 -mfma, avx512: -mavx512f -mavx2 -mfma), and the same
# again with EIGEN_USE_BLAS on OpenBLAS. -ffp-contract=fast (GCC's default, the peer's choice:
# the project's -ffp-contract=off is for simdnn's reproducibility contract). Hidden visibility:
# only the variant's getter is exported, so no Eigen instantiation of one variant (EIGEN_USE_BLAS
# and the ISA flags change them) can stand in for another's. Debian 12: apt-get install
# libeigen3-dev.
find_package(Eigen3 3.4 CONFIG REQUIRED)
set(SIMDNN_EIGEN_PEER_LIBRARIES "")
foreach(isa IN LISTS SIMDNN_ISAS)
  foreach(blas IN ITEMS "" openblas)
    if(blas)
      set(variant openblas_${isa})
      set(name eigen-openblas-${isa})
      set(source ${CMAKE_CURRENT_LIST_DIR}/eigen_mlp_openblas.cpp)
    else()
      set(variant ${isa})
      set(name eigen-${isa})
      set(source ${CMAKE_CURRENT_LIST_DIR}/eigen_mlp.cpp)
    endif()
    set(flags ${SIMDNN_ISA_FLAGS_${isa}} -ffp-contract=fast)
    list(JOIN flags " " flags_text)
    add_library(simdnn_bench_eigen_${variant} SHARED ${source})
    set_target_properties(simdnn_bench_eigen_${variant} PROPERTIES CXX_VISIBILITY_PRESET hidden
                          VISIBILITY_INLINES_HIDDEN ON)
    target_compile_options(simdnn_bench_eigen_${variant} PRIVATE ${flags})
    if(isa STREQUAL "avx512" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      # GCC 12 warns inside its own avx512fintrin.h (STYLE.md, build traps).
      target_compile_options(simdnn_bench_eigen_${variant} PRIVATE -Wno-maybe-uninitialized
                             -Wno-uninitialized)
    endif()
    target_compile_definitions(simdnn_bench_eigen_${variant} PRIVATE
                               SIMDNN_EIGEN_PEER_FUNCTION=eigen_peer_${variant}
                               SIMDNN_EIGEN_PEER_NAME="${name}"
                               SIMDNN_EIGEN_PEER_FLAGS="-O3 ${flags_text}")
    target_include_directories(simdnn_bench_eigen_${variant} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
    target_link_libraries(simdnn_bench_eigen_${variant} PRIVATE Eigen3::Eigen simdnn_warnings)
    if(blas)
      target_link_libraries(simdnn_bench_eigen_${variant} PRIVATE ${OpenBLAS_LIBRARIES})
    endif()
    list(APPEND SIMDNN_EIGEN_PEER_LIBRARIES simdnn_bench_eigen_${variant})
  endforeach()
endforeach()
target_sources(simdnn_bench_peers PRIVATE ${CMAKE_CURRENT_LIST_DIR}/network_peers_bench.cpp)
target_compile_definitions(simdnn_bench_peers PRIVATE
                           SIMDNN_DATA_DIR="${PROJECT_SOURCE_DIR}/data")
target_link_libraries(simdnn_bench_peers PRIVATE ${SIMDNN_EIGEN_PEER_LIBRARIES})
