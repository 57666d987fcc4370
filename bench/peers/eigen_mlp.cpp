// bench/peers/eigen_mlp.cpp — the Eigen peers with Eigen's own products (eigen_mlp.hpp).
#include "peers/eigen_mlp.hpp"
