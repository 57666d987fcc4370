// simdnn/status.hpp — the library's error model, and the status codes its hot paths return.
//
// Two kinds of call, two ways to fail:
//  - Construction, setup and file I/O throw. Building a network or a predictor, sizing one
//    (network::arena_bytes, predictor::memory_bytes), set_input_standardization and the checked
//    constructors of datasets and models throw std::invalid_argument for arguments that cannot
//    work, naming the object and the argument ("simdnn::predictor: caller memory holds ...");
//    std::bad_alloc when an owned block cannot be had. Model files throw simdnn::model_error
//    (simdnn/model.hpp) and CSV data simdnn::data_error (simdnn/dataset.hpp), each naming the
//    file and the place at fault. These run once, before any real-time work, so an exception
//    there costs nothing that matters and cannot be ignored by mistake.
//  - Hot paths are noexcept and return a status: network::forward, loss, backward, step,
//    train_batch and predictor::predict, predict_batch. They never allocate, so they cannot
//    report through an exception that would need the heap, and a real-time caller can check one
//    enum instead of unwinding. Misuse is always a status, never undefined behaviour; each
//    function says what a rejected call leaves behind (predict leaves `outputs` untouched).
// The free kernel functions (simdnn::sgemm, simdnn::sigmoid) sit between the two: they are
// building blocks called with sizes the caller controls, and throw std::invalid_argument for a
// size that cannot be right (their headers say which) before reading or writing anything.
#pragma once

namespace simdnn {

// Every value but ok names one kind of misuse, so a caller can react to it without parsing
// text. New codes are added at the end: the numeric values of existing ones never change.
enum class status : unsigned char {
  ok,                   // the call did what it says
  empty_batch,          // batch == 0
  batch_too_large,      // batch > the network's max_batch
  size_mismatch,        // a span's size is not batch * the width it should have
  non_finite_input,     // NaN or Inf in inputs or targets, or a non-finite learning rate
  no_forward_pass,      // loss or backward before a forward pass; backward after a step, too
  no_backward_pass,     // step before backward (each gradient is applied once)
  empty_network,        // the network or predictor was moved from
  workspace_too_small,  // a predictor's workspace is smaller than workspace_bytes(batch)
};

// A short English description of `s`, e.g. "batch exceeds the network's max_batch". Never null;
// "unknown status" for a value outside the enum.
[[nodiscard]] const char* status_message(status s) noexcept;

// A value or the reason there is none: `value` is meaningful only when error == status::ok.
template <class T>
struct result {
  status error = status::ok;
  T value{};
  [[nodiscard]] explicit operator bool() const noexcept { return error == status::ok; }
};

}  // namespace simdnn
