# simdnn-predict and simdnn-inspect: run and describe saved models (tools/simdnn_predict.cpp,
# tools/simdnn_inspect.cpp). Their tests are in tests/model/tests.cmake.
add_executable(simdnn-predict ${CMAKE_CURRENT_LIST_DIR}/simdnn_predict.cpp)
target_link_libraries(simdnn-predict PRIVATE simdnn::simdnn simdnn_warnings)
add_executable(simdnn-inspect ${CMAKE_CURRENT_LIST_DIR}/simdnn_inspect.cpp)
target_link_libraries(simdnn-inspect PRIVATE simdnn::simdnn simdnn_warnings)
install(TARGETS simdnn-predict simdnn-inspect RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
