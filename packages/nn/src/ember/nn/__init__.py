"""``ember.nn``: Module, Parameter, layers, losses, ``nn.init`` and ``nn.functional``, as torch.nn.

>>> import ember.nn as nn
>>> nn.Linear(4, 2)
Linear(in_features=4, out_features=2, bias=True)
"""

from __future__ import annotations

from ember.nn import functional, init, modules, utils
from ember.nn.modules import (
    CELU as CELU,
)
from ember.nn.modules import (
    ELU as ELU,
)
from ember.nn.modules import (
    GELU as GELU,
)
from ember.nn.modules import (
    GLU as GLU,
)
from ember.nn.modules import (
    GRU as GRU,
)
from ember.nn.modules import (
    LSTM as LSTM,
)
from ember.nn.modules import (
    RNN as RNN,
)
from ember.nn.modules import (
    SELU as SELU,
)

# Named one by one (not ``import *``): mypy does not resolve a star import inside
# the ember.nn <-> ember.nn.modules import cycle. A test keeps this list equal to
# ember.nn.modules.__all__.
from ember.nn.modules import (
    AdaptiveAvgPool1d as AdaptiveAvgPool1d,
)
from ember.nn.modules import (
    AdaptiveAvgPool2d as AdaptiveAvgPool2d,
)
from ember.nn.modules import (
    AdaptiveAvgPool3d as AdaptiveAvgPool3d,
)
from ember.nn.modules import (
    AdaptiveLogSoftmaxWithLoss as AdaptiveLogSoftmaxWithLoss,
)
from ember.nn.modules import (
    AdaptiveMaxPool1d as AdaptiveMaxPool1d,
)
from ember.nn.modules import (
    AdaptiveMaxPool2d as AdaptiveMaxPool2d,
)
from ember.nn.modules import (
    AdaptiveMaxPool3d as AdaptiveMaxPool3d,
)
from ember.nn.modules import (
    AlphaDropout as AlphaDropout,
)
from ember.nn.modules import (
    AvgPool1d as AvgPool1d,
)
from ember.nn.modules import (
    AvgPool2d as AvgPool2d,
)
from ember.nn.modules import (
    AvgPool3d as AvgPool3d,
)
from ember.nn.modules import (
    BatchNorm1d as BatchNorm1d,
)
from ember.nn.modules import (
    BatchNorm2d as BatchNorm2d,
)
from ember.nn.modules import (
    BatchNorm3d as BatchNorm3d,
)
from ember.nn.modules import (
    BCELoss as BCELoss,
)
from ember.nn.modules import (
    BCEWithLogitsLoss as BCEWithLogitsLoss,
)
from ember.nn.modules import (
    Bilinear as Bilinear,
)
from ember.nn.modules import (
    Buffer as Buffer,
)
from ember.nn.modules import (
    CircularPad1d as CircularPad1d,
)
from ember.nn.modules import (
    CircularPad2d as CircularPad2d,
)
from ember.nn.modules import (
    CircularPad3d as CircularPad3d,
)
from ember.nn.modules import (
    ConstantPad1d as ConstantPad1d,
)
from ember.nn.modules import (
    ConstantPad2d as ConstantPad2d,
)
from ember.nn.modules import (
    ConstantPad3d as ConstantPad3d,
)
from ember.nn.modules import (
    Conv1d as Conv1d,
)
from ember.nn.modules import (
    Conv2d as Conv2d,
)
from ember.nn.modules import (
    Conv3d as Conv3d,
)
from ember.nn.modules import (
    ConvTranspose1d as ConvTranspose1d,
)
from ember.nn.modules import (
    ConvTranspose2d as ConvTranspose2d,
)
from ember.nn.modules import (
    ConvTranspose3d as ConvTranspose3d,
)
from ember.nn.modules import (
    CosineEmbeddingLoss as CosineEmbeddingLoss,
)
from ember.nn.modules import (
    CrossEntropyLoss as CrossEntropyLoss,
)
from ember.nn.modules import (
    CTCLoss as CTCLoss,
)
from ember.nn.modules import (
    Dropout as Dropout,
)
from ember.nn.modules import (
    Dropout1d as Dropout1d,
)
from ember.nn.modules import (
    Dropout2d as Dropout2d,
)
from ember.nn.modules import (
    Dropout3d as Dropout3d,
)
from ember.nn.modules import (
    Embedding as Embedding,
)
from ember.nn.modules import (
    EmbeddingBag as EmbeddingBag,
)
from ember.nn.modules import (
    FeatureAlphaDropout as FeatureAlphaDropout,
)
from ember.nn.modules import (
    Flatten as Flatten,
)
from ember.nn.modules import (
    GaussianNLLLoss as GaussianNLLLoss,
)
from ember.nn.modules import (
    GroupNorm as GroupNorm,
)
from ember.nn.modules import (
    GRUCell as GRUCell,
)
from ember.nn.modules import (
    Hardshrink as Hardshrink,
)
from ember.nn.modules import (
    Hardsigmoid as Hardsigmoid,
)
from ember.nn.modules import (
    Hardswish as Hardswish,
)
from ember.nn.modules import (
    Hardtanh as Hardtanh,
)
from ember.nn.modules import (
    HingeEmbeddingLoss as HingeEmbeddingLoss,
)
from ember.nn.modules import (
    HuberLoss as HuberLoss,
)
from ember.nn.modules import (
    Identity as Identity,
)
from ember.nn.modules import (
    InstanceNorm1d as InstanceNorm1d,
)
from ember.nn.modules import (
    InstanceNorm2d as InstanceNorm2d,
)
from ember.nn.modules import (
    InstanceNorm3d as InstanceNorm3d,
)
from ember.nn.modules import (
    KLDivLoss as KLDivLoss,
)
from ember.nn.modules import (
    L1Loss as L1Loss,
)
from ember.nn.modules import (
    LayerNorm as LayerNorm,
)
from ember.nn.modules import (
    LeakyReLU as LeakyReLU,
)
from ember.nn.modules import (
    Linear as Linear,
)
from ember.nn.modules import (
    LogSigmoid as LogSigmoid,
)
from ember.nn.modules import (
    LogSoftmax as LogSoftmax,
)
from ember.nn.modules import (
    LSTMCell as LSTMCell,
)
from ember.nn.modules import (
    MarginRankingLoss as MarginRankingLoss,
)
from ember.nn.modules import (
    MaxPool1d as MaxPool1d,
)
from ember.nn.modules import (
    MaxPool2d as MaxPool2d,
)
from ember.nn.modules import (
    MaxPool3d as MaxPool3d,
)
from ember.nn.modules import (
    Mish as Mish,
)
from ember.nn.modules import (
    Module as Module,
)
from ember.nn.modules import (
    ModuleDict as ModuleDict,
)
from ember.nn.modules import (
    ModuleList as ModuleList,
)
from ember.nn.modules import (
    MSELoss as MSELoss,
)
from ember.nn.modules import (
    MultiheadAttention as MultiheadAttention,
)
from ember.nn.modules import (
    MultiLabelMarginLoss as MultiLabelMarginLoss,
)
from ember.nn.modules import (
    MultiLabelSoftMarginLoss as MultiLabelSoftMarginLoss,
)
from ember.nn.modules import (
    MultiMarginLoss as MultiMarginLoss,
)
from ember.nn.modules import (
    NLLLoss as NLLLoss,
)
from ember.nn.modules import (
    PairwiseDistance as PairwiseDistance,
)
from ember.nn.modules import (
    Parameter as Parameter,
)
from ember.nn.modules import (
    ParameterDict as ParameterDict,
)
from ember.nn.modules import (
    ParameterList as ParameterList,
)
from ember.nn.modules import (
    PixelShuffle as PixelShuffle,
)
from ember.nn.modules import (
    PixelUnshuffle as PixelUnshuffle,
)
from ember.nn.modules import (
    PoissonNLLLoss as PoissonNLLLoss,
)
from ember.nn.modules import (
    PReLU as PReLU,
)
from ember.nn.modules import (
    ReflectionPad1d as ReflectionPad1d,
)
from ember.nn.modules import (
    ReflectionPad2d as ReflectionPad2d,
)
from ember.nn.modules import (
    ReflectionPad3d as ReflectionPad3d,
)
from ember.nn.modules import (
    ReLU as ReLU,
)
from ember.nn.modules import (
    ReLU6 as ReLU6,
)
from ember.nn.modules import (
    RemovableHandle as RemovableHandle,
)
from ember.nn.modules import (
    ReplicationPad1d as ReplicationPad1d,
)
from ember.nn.modules import (
    ReplicationPad2d as ReplicationPad2d,
)
from ember.nn.modules import (
    ReplicationPad3d as ReplicationPad3d,
)
from ember.nn.modules import (
    RMSNorm as RMSNorm,
)
from ember.nn.modules import (
    RNNBase as RNNBase,
)
from ember.nn.modules import (
    RNNCell as RNNCell,
)
from ember.nn.modules import (
    RNNCellBase as RNNCellBase,
)
from ember.nn.modules import (
    RReLU as RReLU,
)
from ember.nn.modules import (
    Sequential as Sequential,
)
from ember.nn.modules import (
    Sigmoid as Sigmoid,
)
from ember.nn.modules import (
    SiLU as SiLU,
)
from ember.nn.modules import (
    SmoothL1Loss as SmoothL1Loss,
)
from ember.nn.modules import (
    SoftMarginLoss as SoftMarginLoss,
)
from ember.nn.modules import (
    Softmax as Softmax,
)
from ember.nn.modules import (
    Softmax2d as Softmax2d,
)
from ember.nn.modules import (
    Softmin as Softmin,
)
from ember.nn.modules import (
    Softplus as Softplus,
)
from ember.nn.modules import (
    Softshrink as Softshrink,
)
from ember.nn.modules import (
    Softsign as Softsign,
)
from ember.nn.modules import (
    Tanh as Tanh,
)
from ember.nn.modules import (
    Tanhshrink as Tanhshrink,
)
from ember.nn.modules import (
    Threshold as Threshold,
)
from ember.nn.modules import (
    Transformer as Transformer,
)
from ember.nn.modules import (
    TransformerDecoder as TransformerDecoder,
)
from ember.nn.modules import (
    TransformerDecoderLayer as TransformerDecoderLayer,
)
from ember.nn.modules import (
    TransformerEncoder as TransformerEncoder,
)
from ember.nn.modules import (
    TransformerEncoderLayer as TransformerEncoderLayer,
)
from ember.nn.modules import (
    TripletMarginLoss as TripletMarginLoss,
)
from ember.nn.modules import (
    TripletMarginWithDistanceLoss as TripletMarginWithDistanceLoss,
)
from ember.nn.modules import (
    Unflatten as Unflatten,
)
from ember.nn.modules import (
    Upsample as Upsample,
)
from ember.nn.modules import (
    UpsamplingBilinear2d as UpsamplingBilinear2d,
)
from ember.nn.modules import (
    UpsamplingNearest2d as UpsamplingNearest2d,
)
from ember.nn.modules import (
    ZeroPad1d as ZeroPad1d,
)
from ember.nn.modules import (
    ZeroPad2d as ZeroPad2d,
)
from ember.nn.modules import (
    ZeroPad3d as ZeroPad3d,
)

__all__ = ["functional", "init", "utils", "modules"]
__all__ += modules.__all__
