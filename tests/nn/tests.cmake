# tests/nn/tests.cmake — the network's tests (included by tests/CMakeLists.txt).
#
# nn_network_test: API and misuse, gradient checks, notebook parity, Iris accuracy, the fused
#                  row-block path against its documented order.
# nn_alloc_test:   zero allocation after construction, in its own executable because it replaces
#                  the global allocator.
# nn_threads_test: network_options::threads, bitwise equal to one thread; its own executable so
#                  the ThreadSanitizer preset builds and runs it alone (every name has "Thread").
# The network dispatches through the active ISA (the best one, capped by SIMDNN_ISA, read once),
# so each executable is also registered once per ISA cap. A cap this CPU/OS cannot run is reported
# as skipped, not passed: tests/isa_cap_guard.cpp exits with 77 (SKIP_RETURN_CODE) and says why;
# every run prints the ISA it exercised.

simdnn_add_test(nn_network_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/network_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/network_gradient_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/network_training_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/activation_loss_gradient_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/optimizer_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/train_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/row_block_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/network_fused_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/../isa_cap_guard.cpp
  LABELS unit nn)
target_compile_definitions(nn_network_test PRIVATE
                           SIMDNN_DATA_DIR="${PROJECT_SOURCE_DIR}/data")

simdnn_add_test(nn_alloc_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/alloc_test.cpp
                ${CMAKE_CURRENT_LIST_DIR}/../isa_cap_guard.cpp LABELS unit nn)

simdnn_add_test(nn_threads_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/network_threads_test.cpp
                ${CMAKE_CURRENT_LIST_DIR}/../isa_cap_guard.cpp LABELS unit nn)

set(SIMDNN_NN_TEST_ISAS sse2 avx2)
if(SIMDNN_ENABLE_AVX512)
  list(APPEND SIMDNN_NN_TEST_ISAS avx512)
endif()
foreach(test_target IN ITEMS nn_network_test nn_alloc_test nn_threads_test)
  foreach(isa IN LISTS SIMDNN_NN_TEST_ISAS)
    add_test(NAME ${test_target}.isa_${isa} COMMAND ${test_target})
    set_tests_properties(${test_target}.isa_${isa} PROPERTIES
                         ENVIRONMENT SIMDNN_ISA=${isa} LABELS "nn;isa" SKIP_RETURN_CODE 77)
  endforeach()
endforeach()
# The allocation tests skip themselves where a sanitizer owns the allocator: nothing to count.
foreach(isa IN LISTS SIMDNN_NN_TEST_ISAS)
  set_tests_properties(nn_alloc_test.isa_${isa} PROPERTIES
                       SKIP_REGULAR_EXPRESSION "a sanitizer replaces the allocator")
endforeach()
