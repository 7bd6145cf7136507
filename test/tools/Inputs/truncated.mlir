func.func @m(%x: tensor<?x4xf32>) {
  %0 = weir.relu %x : tensor<?x4xf32> ->
