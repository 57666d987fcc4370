# tests/io: the CSV loader and dataset helpers (lib/io), and the simdnn-train command line.
# Included from tests/CMakeLists.txt, so simdnn_add_test is available here.
set(SIMDNN_IO_TEST_DIR ${CMAKE_CURRENT_LIST_DIR})

simdnn_add_test(csv_test SOURCES ${SIMDNN_IO_TEST_DIR}/csv_test.cpp LABELS unit)
simdnn_add_test(dataset_test SOURCES ${SIMDNN_IO_TEST_DIR}/dataset_test.cpp LABELS unit)
foreach(test_target IN ITEMS csv_test dataset_test)
  target_compile_definitions(${test_target} PRIVATE SIMDNN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endforeach()

# The trainer's end-to-end tests run the real binary (exit statuses, messages, Iris accuracy).
if(TARGET simdnn-train)
  simdnn_add_test(train_cli_test SOURCES ${SIMDNN_IO_TEST_DIR}/train_cli_test.cpp LABELS cli)
  target_compile_definitions(train_cli_test PRIVATE
    SIMDNN_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    SIMDNN_SVG_CHECKER="${SIMDNN_IO_TEST_DIR}/check_svg.py"
    SIMDNN_TRAIN_EXE="$<TARGET_FILE:simdnn-train>")
  add_dependencies(train_cli_test simdnn-train)
endif()

# simdnn-train's report writers (tools/train/report.cpp, compiled in rather than run through the
# binary): the metrics CSV and the learning-curve SVG, whose XML tests/io/check_svg.py checks.
simdnn_add_test(report_test SOURCES ${SIMDNN_IO_TEST_DIR}/report_test.cpp
                ${PROJECT_SOURCE_DIR}/tools/train/report.cpp LABELS unit)
target_include_directories(report_test PRIVATE ${PROJECT_SOURCE_DIR}/tools)
target_compile_definitions(report_test PRIVATE
  SIMDNN_SVG_CHECKER="${SIMDNN_IO_TEST_DIR}/check_svg.py")
