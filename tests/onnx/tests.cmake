# tests/onnx: simdnn::onnx against PyTorch's exporter and the ONNX checker (onnx_test.cpp, with
# the Python side in torch_onnx_helper.py). Included from tests/CMakeLists.txt only when
# simdnn::onnx is built (lib/CMakeLists.txt says at configure time when it is skipped).
#
# The Python side runs on Debian's system interpreter, where python3-torch and python3-onnx are
# installed, never on whichever python3 comes first on PATH.
set(SIMDNN_SYSTEM_PYTHON /usr/bin/python3 CACHE FILEPATH
    "The Python with torch and onnx for the ONNX tests (Debian: python3-torch, python3-onnx)")
set(SIMDNN_ONNX_EXPORT_DIR ${PROJECT_BINARY_DIR}/onnx-test/torch)

# The fixture: PyTorch models exported once per test run; exit 77 (skipped, with the reason in
# the log) when torch or onnx is missing from that interpreter.
add_test(NAME onnx.torch_export
         COMMAND ${SIMDNN_SYSTEM_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/torch_onnx_helper.py export
                 ${SIMDNN_ONNX_EXPORT_DIR})
set_tests_properties(onnx.torch_export PROPERTIES FIXTURES_SETUP onnx_torch SKIP_RETURN_CODE 77
                     LABELS "onnx" TIMEOUT 300)

add_executable(onnx_test ${CMAKE_CURRENT_LIST_DIR}/onnx_test.cpp)
# The test builds hostile files with ONNX's own protobuf classes (imported GLOBAL by
# lib/CMakeLists.txt; a SYSTEM include).
target_link_libraries(onnx_test PRIVATE simdnn::onnx simdnn_test_support onnx_proto
                      protobuf::libprotobuf)
target_compile_definitions(onnx_test PRIVATE
  SIMDNN_ONNX_EXPORT_DIR="${SIMDNN_ONNX_EXPORT_DIR}"
  SIMDNN_SYSTEM_PYTHON="${SIMDNN_SYSTEM_PYTHON}"
  SIMDNN_ONNX_HELPER="${CMAKE_CURRENT_LIST_DIR}/torch_onnx_helper.py"
  SIMDNN_CONVERT_EXE="$<TARGET_FILE:simdnn-convert>"
  SIMDNN_FUZZ_DIR="${PROJECT_SOURCE_DIR}/tests/fuzz")
add_dependencies(onnx_test simdnn-convert)
gtest_discover_tests(onnx_test DISCOVERY_TIMEOUT 60
                     PROPERTIES LABELS "onnx" FIXTURES_REQUIRED onnx_torch)

# A model simdnn-train saved -> ONNX -> the ONNX checker -> back: the same file, byte for byte.
if(TARGET simdnn-train)
  add_test(NAME onnx.trained_model_round_trip
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/trained_roundtrip.sh $<TARGET_FILE:simdnn-train>
                   $<TARGET_FILE:simdnn-convert> ${SIMDNN_SYSTEM_PYTHON}
                   ${CMAKE_CURRENT_LIST_DIR}/torch_onnx_helper.py ${PROJECT_SOURCE_DIR}/data/iris.csv
                   ${PROJECT_BINARY_DIR}/onnx-test/trained)
  set_tests_properties(onnx.trained_model_round_trip PROPERTIES LABELS "onnx;cli"
                       SKIP_RETURN_CODE 77 TIMEOUT 120)
endif()
