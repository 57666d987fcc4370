// lib/status.cpp — status_message: the text for every simdnn::status (simdnn/status.hpp).
//
// Its own file, not the network's: the predictor returns the same codes, and a program that only
// predicts should not need the network's object code to print one.
#include "simdnn/status.hpp"

namespace simdnn {

const char* status_message(status s) noexcept {
  // No default: with every enumerator listed, -Wswitch flags a new code left without text.
  switch (s) {
    case status::ok:
      return "ok";
    case status::empty_batch:
      return "batch is 0";
    case status::batch_too_large:
      return "batch exceeds the network's max_batch";
    case status::size_mismatch:
      return "a span's size is not batch * the layer's width";
    case status::non_finite_input:
      return "NaN or Inf in the inputs, targets or learning rate";
    case status::no_forward_pass:
      return "no forward pass to use: call forward first (after a step, again)";
    case status::no_backward_pass:
      return "no gradients to apply: call backward first (after a forward or a step, again)";
    case status::empty_network:
      return "the network is empty (it was moved from)";
    case status::workspace_too_small:
      return "the workspace is smaller than the predictor's workspace_bytes(batch)";
  }
  return "unknown status";
}

}  // namespace simdnn
