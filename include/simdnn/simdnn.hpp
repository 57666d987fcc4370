// simdnn/simdnn.hpp — every public header of simdnn at once, for code that would rather not pick.
//
//   simdnn/isa.hpp         which instruction set the kernels run on (and SIMDNN_ISA)
//   simdnn/status.hpp      the error model: what throws, and the status hot paths return
//   simdnn/sgemm.hpp       row-major single-precision GEMM
//   simdnn/activation.hpp  the sigmoid kernels and the activation enum
//   simdnn/network.hpp     the fixed-arena network: train, forward
//   simdnn/model.hpp       trained models, model files
//   simdnn/predictor.hpp   thread-safe, allocation-free inference from a model
//   simdnn/dataset.hpp     CSV data, standardization, splits, one-hot targets
//   simdnn/random.hpp      the seeded generator behind every reproducible choice
//   simdnn/version.hpp     the library's version
#pragma once

#include "simdnn/activation.hpp"
#include "simdnn/dataset.hpp"
#include "simdnn/isa.hpp"
#include "simdnn/model.hpp"
#include "simdnn/network.hpp"
#include "simdnn/predictor.hpp"
#include "simdnn/random.hpp"
#include "simdnn/sgemm.hpp"
#include "simdnn/status.hpp"
#include "simdnn/train.hpp"
#include "simdnn/version.hpp"
