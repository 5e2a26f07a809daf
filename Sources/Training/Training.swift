import MLP
