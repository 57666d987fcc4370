# Installs simdnn and builds a separate project against it (find_package + simdnn::simdnn).
add_test(NAME packaging.consumer_project
         COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${PROJECT_BINARY_DIR}
                 -DSOURCE_DIR=${CMAKE_CURRENT_LIST_DIR}/consumer
                 -DWORK_DIR=${PROJECT_BINARY_DIR}/packaging-test
                 -P ${CMAKE_CURRENT_LIST_DIR}/run_consumer.cmake)
set_tests_properties(packaging.consumer_project PROPERTIES LABELS "packaging" TIMEOUT 300)

# No code compiled for one ISA can be linked in for another (see tools/check-isa-symbols.sh).
add_test(NAME packaging.isa_symbols
         COMMAND ${PROJECT_SOURCE_DIR}/tools/check-isa-symbols.sh $<TARGET_FILE:simdnn>)
set_tests_properties(packaging.isa_symbols PROPERTIES LABELS "packaging")
