# lib/io/sources.cmake — model files (io/model.cpp) and the predictor that runs them
# (nn/predictor.cpp). Included by lib/CMakeLists.txt after add_library(simdnn ...).
target_sources(simdnn PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../nn/predictor.cpp
)
