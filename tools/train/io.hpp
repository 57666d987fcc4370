// tools/train/io.hpp — the files at either end of a simdnn-train run: the CSV it reads (and the
// line describing it) and the model it saves. Both modes read and save the same way; only what
// they train in between differs.
#pragma once

#include <string>
#include <vector>

#include "simdnn/dataset.hpp"
#include "simdnn/network.hpp"

#include "train/options.hpp"

namespace simdnn::cli::train {

// The data file, or standard input for '-', read as classification rows; data_error if it is
// unreadable or malformed.
simdnn::dataset load(const options& parsed);

// "data: <file>: <rows> rows, <features> features, <classes> classes (<names>)".
void print_data_line(const options& parsed, const simdnn::dataset& data);

// Saves the trained network when --save was given, and says where.
void save_if_asked(const options& parsed, const simdnn::network& net,
                   std::vector<std::string> class_names);

}  // namespace simdnn::cli::train
