"""The strategy feature: the seven steps and answering them."""
