// bench/peers/eigen_mlp_openblas.cpp — the Eigen peers with EIGEN_USE_BLAS: Eigen hands its
// matrix-matrix and matrix-vector products above its small-size threshold to BLAS (OpenBLAS,
// linked into this shared object only, one thread: tools/bench-peers sets OPENBLAS_NUM_THREADS=1).
// The macro changes Eigen's product code for the whole translation unit, so it is defined here,
// first, and nowhere else; hidden visibility keeps those instantiations out of the other variants.
#define EIGEN_USE_BLAS
#include "peers/eigen_mlp.hpp"
