# simdnn-train: the command-line trainer (tools/simdnn_train.cpp). Its tests live with the loader's
# in tests/io/tests.cmake, since enable_testing() runs after this directory is added.
add_executable(simdnn-train ${CMAKE_CURRENT_LIST_DIR}/simdnn_train.cpp)
target_link_libraries(simdnn-train PRIVATE simdnn::simdnn simdnn_warnings)
install(TARGETS simdnn-train RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
