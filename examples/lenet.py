"""PyTorch's "Neural Networks" tutorial (the 60-minute blitz), in Ember: LeNet, a loss,
backprop, and the weight update by hand and with ``optim.SGD``.

Run: python examples/lenet.py
"""

from __future__ import annotations

import ember
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        # 1 input image channel, 6 output channels, 5x5 square convolution kernel
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        # an affine operation: y = Wx + b
        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # 5*5 from image dimension
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input: ember.Tensor) -> ember.Tensor:
        # Convolution layer C1: 1 input channel, 6 output channels, 5x5 kernel, ReLU;
        # outputs (N, 6, 28, 28)
        c1 = F.relu(self.conv1(input))
        # Subsampling layer S2: 2x2 max pooling; outputs (N, 6, 14, 14)
        s2 = F.max_pool2d(c1, (2, 2))
        # Convolution layer C3: outputs (N, 16, 10, 10)
        c3 = F.relu(self.conv2(s2))
        # Subsampling layer S4: outputs (N, 16, 5, 5)
        s4 = F.max_pool2d(c3, 2)
        # Flatten: outputs (N, 400)
        s4 = ember.flatten(s4, 1)
        # Fully connected layers F5 and F6 with ReLU, then the output layer
        f5 = F.relu(self.fc1(s4))
        f6 = F.relu(self.fc2(f5))
        return self.fc3(f6)


def main() -> None:
    ember.manual_seed(0)
    net = Net()
    print(net)

    params = list(net.parameters())
    print(len(params))
    print(params[0].size())  # conv1's .weight

    input = ember.randn(1, 1, 32, 32)
    out = net(input)
    print(out)

    net.zero_grad()
    out.backward(ember.randn(1, 10))

    # Loss function
    output = net(input)
    target = ember.randn(10).view(1, -1)  # a dummy target, the same shape as the output
    criterion = nn.MSELoss()
    loss = criterion(output, target)
    print(loss)
    # Follow the graph backwards from the loss. Ember's mse_loss is composed of ops
    # (mean of the squared difference), so its nodes are MeanBackward0, MulBackward0, ...
    # where PyTorch shows one fused MseLossBackward0 node.
    print(loss.grad_fn)
    print(loss.grad_fn.next_functions[0][0])
    print(loss.grad_fn.next_functions[0][0].next_functions[0][0])

    # Backprop
    net.zero_grad()  # zeroes the gradient buffers of all parameters
    print("conv1.bias.grad before backward")
    print(net.conv1.bias.grad)
    loss.backward()
    print("conv1.bias.grad after backward")
    print(net.conv1.bias.grad)

    # Update the weights by hand: weight = weight - learning_rate * gradient
    learning_rate = 0.01
    for f in net.parameters():
        f.data.sub_(f.grad.data * learning_rate)
    print("loss after a manual SGD step:", criterion(net(input), target).item())

    # The same with an optimizer
    optimizer = optim.SGD(net.parameters(), lr=0.01)
    for _ in range(3):
        optimizer.zero_grad()  # zero the gradient buffers
        output = net(input)
        loss = criterion(output, target)
        loss.backward()
        optimizer.step()  # does the update
    print("loss after three optim.SGD steps:", criterion(net(input), target).item())


if __name__ == "__main__":
    main()
