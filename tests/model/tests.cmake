# tests/model: model files (format, hardening), the predictor, and the model tools. Included from
# tests/CMakeLists.txt, so simdnn_add_test is available here.
set(SIMDNN_MODEL_TEST_DIR ${CMAKE_CURRENT_LIST_DIR})

simdnn_add_test(model_format_test SOURCES ${SIMDNN_MODEL_TEST_DIR}/model_format_test.cpp
                LABELS unit model)
simdnn_add_test(predictor_test SOURCES ${SIMDNN_MODEL_TEST_DIR}/predictor_test.cpp
                LABELS unit model)
find_package(Threads REQUIRED)
target_link_libraries(predictor_test PRIVATE Threads::Threads)

# Every input the fuzzers ever kept (seed corpora and crash regressions) through both loaders.
simdnn_add_test(fuzz_regression_test SOURCES ${SIMDNN_MODEL_TEST_DIR}/fuzz_regression_test.cpp
                LABELS unit model)
target_compile_definitions(fuzz_regression_test PRIVATE
                           SIMDNN_FUZZ_DIR="${PROJECT_SOURCE_DIR}/tests/fuzz")

# The model tools end to end: train --save, predict, inspect.
if(TARGET simdnn-train AND TARGET simdnn-predict AND TARGET simdnn-inspect)
  simdnn_add_test(model_cli_test SOURCES ${SIMDNN_MODEL_TEST_DIR}/model_cli_test.cpp LABELS cli)
  target_compile_definitions(model_cli_test PRIVATE
    SIMDNN_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    SIMDNN_TRAIN_EXE="$<TARGET_FILE:simdnn-train>"
    SIMDNN_PREDICT_EXE="$<TARGET_FILE:simdnn-predict>"
    SIMDNN_INSPECT_EXE="$<TARGET_FILE:simdnn-inspect>")
  add_dependencies(model_cli_test simdnn-train simdnn-predict simdnn-inspect)
endif()

# libFuzzer targets (clang only, off by default): tests/fuzz/fuzzers.cmake, run by
# tools/run-fuzzers.sh.
option(SIMDNN_BUILD_FUZZERS "Build the libFuzzer targets for the model and CSV loaders (clang)" OFF)
if(SIMDNN_BUILD_FUZZERS)
  include(${PROJECT_SOURCE_DIR}/tests/fuzz/fuzzers.cmake)
endif()
