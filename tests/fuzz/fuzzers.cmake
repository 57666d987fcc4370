# tests/fuzz/fuzzers.cmake — libFuzzer targets for the model, CSV and ONNX loaders, built only with
# -DSIMDNN_BUILD_FUZZERS=ON and clang. tools/run-fuzzers.sh configures a build for them: the
# whole build with -fsanitize=fuzzer-no-link,address,undefined (coverage and sanitizers in the
# library too), and the targets linked with -fsanitize=fuzzer, which provides main().
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "SIMDNN_BUILD_FUZZERS needs clang (libFuzzer); configure with "
                      "-DCMAKE_CXX_COMPILER=clang++, or use tools/run-fuzzers.sh")
endif()
foreach(target IN ITEMS model_fuzz csv_fuzz)
  add_executable(${target} ${CMAKE_CURRENT_LIST_DIR}/${target}.cpp)
  target_link_libraries(${target} PRIVATE simdnn::simdnn simdnn_warnings)
  target_compile_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
endforeach()

# The ONNX reader's target, when simdnn::onnx is built (protobuf and libonnx-dev found).
if(SIMDNN_HAVE_ONNX)
  add_executable(onnx_fuzz ${CMAKE_CURRENT_LIST_DIR}/onnx_fuzz.cpp)
  target_link_libraries(onnx_fuzz PRIVATE simdnn::onnx simdnn::simdnn simdnn_warnings)
  target_compile_options(onnx_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(onnx_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
endif()
