# Installs simdnn and builds a separate project against it (find_package + simdnn::simdnn).
add_test(NAME packaging.consumer_project
         COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${PROJECT_BINARY_DIR}
                 -DSOURCE_DIR=${CMAKE_CURRENT_LIST_DIR}/consumer
                 -DWORK_DIR=${PROJECT_BINARY_DIR}/packaging-test
                 "-DCONSUMER_CXX_FLAGS=${CMAKE_CXX_FLAGS}"
                 "-DCONSUMER_LINKER_FLAGS=${CMAKE_EXE_LINKER_FLAGS}"
                 -P ${CMAKE_CURRENT_LIST_DIR}/run_consumer.cmake)
set_tests_properties(packaging.consumer_project PROPERTIES LABELS "packaging" TIMEOUT 300)

# No code compiled for one ISA can be linked in for another (see tools/check-isa-symbols.sh).
add_test(NAME packaging.isa_symbols
         COMMAND ${PROJECT_SOURCE_DIR}/tools/check-isa-symbols.sh $<TARGET_FILE:simdnn>)
set_tests_properties(packaging.isa_symbols PROPERTIES LABELS "packaging")

# The check must be able to fail: an archive whose avx2.cpp.o exports an untagged weak inline.
add_library(simdnn_isa_symbols_canary STATIC EXCLUDE_FROM_ALL ${CMAKE_CURRENT_LIST_DIR}/canary/avx2.cpp)
add_test(NAME packaging.isa_symbols_canary_build
         COMMAND ${CMAKE_COMMAND} --build ${PROJECT_BINARY_DIR} --target simdnn_isa_symbols_canary)
set_tests_properties(packaging.isa_symbols_canary_build PROPERTIES FIXTURES_SETUP isa_canary
                     LABELS "packaging")
add_test(NAME packaging.isa_symbols_canary
         COMMAND ${PROJECT_SOURCE_DIR}/tools/check-isa-symbols.sh
                 $<TARGET_FILE:simdnn_isa_symbols_canary>)
set_tests_properties(packaging.isa_symbols_canary PROPERTIES WILL_FAIL TRUE
                     FIXTURES_REQUIRED isa_canary LABELS "packaging")
