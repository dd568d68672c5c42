<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
  <context>
    <name>DemoMode</name>
    <message>
      <location filename="../../gui/demo.py" line="142" />
      <source>Start here</source>
      <translation>从这里开始</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="178" />
      <source>&amp;File</source>
      <translation>文件(&amp;F)</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="181" />
      <source>Open an image folder as dataset…</source>
      <translation>打开图片文件夹作为数据集…</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="183" />
      <source>Open my own model (.pt2 or weights)…</source>
      <translation>打开我自己的模型（.pt2 或权重）…</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="187" />
      <source>Quit</source>
      <translation>退出</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="189" />
      <source>&amp;View</source>
      <translation>视图(&amp;V)</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="190" />
      <source>Presentation mode</source>
      <translation>演示模式</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="191" />
      <source>Large text, full screen, only the gallery and the Start-here panel: for a projector</source>
      <translation>大字体、全屏，只显示图库和“从这里开始”面板：适合投影仪</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="196" />
      <source>&amp;Language</source>
      <translation>语言(&amp;L)</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="207" />
      <source>&amp;Help</source>
      <translation>帮助(&amp;H)</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="208" />
      <source>What is this? Glossary…</source>
      <translation>这是什么？术语表…</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="210" />
      <source>Draw your own digit…</source>
      <translation>自己画一个数字…</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="217" />
      <source>Stop training first, then attack.</source>
      <translation>请先停止训练，再进行攻击。</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="223" />
      <source>Attacking…</source>
      <translation>正在攻击…</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="226" />
      <source>Ready-made digit reader opened: no training needed.</source>
      <translation>已打开现成的数字识别模型：无需训练。</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="276" />
      <source>Language</source>
      <translation>语言</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="277" />
      <source>The new language is used the next time Robustness Lab starts.</source>
      <translation>新语言将在下次启动 Robustness Lab 时生效。</translation>
    </message>
  </context>
  <context>
    <name>DemoPanel</name>
    <message>
      <location filename="../../gui/demo.py" line="51" />
      <source>Fool a neural network</source>
      <translation>骗过神经网络</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="54" />
      <source>An adversarial example is an image changed so slightly that you still see the same thing, yet a neural network sees something else. Two ready-made digit readers are built in: try to fool them.</source>
      <translation>对抗样本是一张被改动得非常轻微的图片：你看到的仍是同样的东西，神经网络却看成了别的。这里内置了两个现成的数字识别模型：试着骗过它们。</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="59" />
      <source>Guided tours</source>
      <translation>引导演示</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="74" />
      <source>Which model do you attack?</source>
      <translation>你要攻击哪个模型？</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="76" />
      <source>Standard model
(trained the usual way)</source>
      <translation>普通模型
（按常规方式训练）</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="77" />
      <source>Robust model
(trained against attacks)</source>
      <translation>稳健模型
（针对攻击训练过）</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="80" />
      <source>Reads 99% of the test digits right, but was never shown an attacked image.</source>
      <translation>能正确识别 99% 的测试数字，但从未见过被攻击的图片。</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="82" />
      <source>Learned from attacked digits too (adversarial training), so small changes rarely fool it.</source>
      <translation>也从被攻击的数字中学习过（对抗训练），所以微小的改动很少能骗过它。</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="87" />
      <source>⚡ Attack!</source>
      <translation>⚡ 攻击！</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="89" />
      <source>Attack held-out digits with PGD at the ε set on the left, and show them in the gallery</source>
      <translation>用左侧设置的 ε 以 PGD 攻击留出的测试数字，并在图库中显示</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="98" />
      <source>✎ Draw your own digit…</source>
      <translation>✎ 自己画一个数字…</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="99" />
      <source>Draw a digit with the mouse, see what the model says, then attack it</source>
      <translation>用鼠标画一个数字，看看模型怎么说，然后攻击它</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="100" />
      <source>What do ε, λ, FGSM and PGD mean?</source>
      <translation>ε、λ、FGSM 和 PGD 是什么意思？</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="126" />
      <source>standard model</source>
      <translation>普通模型</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="126" />
      <source>robust model</source>
      <translation>稳健模型</translation>
    </message>
    <message>
      <location filename="../../gui/demo.py" line="127" />
      <source>The attack (ε = %1) fooled the %2 on &lt;b&gt;%3 of %4&lt;/b&gt; digits it had read right. Red frames in the gallery show them.</source>
      <translation>攻击（ε = %1）在%2原本认对的 &lt;b&gt;%4 个数字中骗过了 %3 个&lt;/b&gt;。图库中的红框标出了它们。</translation>
    </message>
  </context>
  <context>
    <name>DrawDigitDialog</name>
    <message>
      <location filename="../../gui/canvas.py" line="159" />
      <source>Draw your own digit</source>
      <translation>自己画一个数字</translation>
    </message>
    <message>
      <location filename="../../gui/canvas.py" line="163" />
      <source>Standard model</source>
      <translation>普通模型</translation>
    </message>
    <message>
      <location filename="../../gui/canvas.py" line="163" />
      <source>Robust model</source>
      <translation>稳健模型</translation>
    </message>
    <message>
      <location filename="../../gui/canvas.py" line="168" />
      <source>Which of the two shipped models answers</source>
      <translation>由两个内置模型中的哪一个来回答</translation>
    </message>
    <message>
      <location filename="../../gui/canvas.py" line="170" />
      <source>Clear</source>
      <translation>清除</translation>
    </message>
    <message>
      <location filename="../../gui/canvas.py" line="173" />
      <source>Your drawing as the model sees it: 8×8 pixels, like the training digits</source>
      <translation>模型眼中的你的画：8×8 像素，和训练用的数字一样</translation>
    </message>
    <message>
      <location filename="../../gui/canvas.py" line="175" />
      <source>Make it adversarial (ε = %1)</source>
      <translation>生成对抗版本（ε = %1）</translation>
    </message>
    <message>
      <location filename="../../gui/canvas.py" line="177" />
      <source>Change every pixel by at most ε so that the model changes its mind</source>
      <translation>每个像素最多改动 ε，让模型改变答案</translation>
    </message>
    <message>
      <location filename="../../gui/canvas.py" line="184" />
      <source>1. Draw a digit (0–9)</source>
      <translation>1. 画一个数字（0–9）</translation>
    </message>
    <message>
      <location filename="../../gui/canvas.py" line="191" />
      <source>2. What the model sees and says</source>
      <translation>2. 模型看到的和它的回答</translation>
    </message>
    <message>
      <location filename="../../gui/canvas.py" line="218" />
      <source>3. Press the button above</source>
      <translation>3. 按上面的按钮</translation>
    </message>
    <message>
      <location filename="../../gui/canvas.py" line="221" />
      <source>Draw something</source>
      <translation>请画点什么</translation>
    </message>
    <message>
      <location filename="../../gui/canvas.py" line="225" />
      <source>It is a %1 (%2%)</source>
      <translation>这是 %1（%2%）</translation>
    </message>
    <message>
      <location filename="../../gui/canvas.py" line="239" />
      <source>Fooled! Now a %1 (%2%)</source>
      <translation>被骗了！现在是 %1（%2%）</translation>
    </message>
    <message>
      <location filename="../../gui/canvas.py" line="239" />
      <source>Not fooled: still a %1 (%2%)</source>
      <translation>没被骗：仍然是 %1（%2%）</translation>
    </message>
  </context>
  <context>
    <name>DrawingCanvas</name>
    <message>
      <location filename="../../gui/canvas.py" line="76" />
      <source>Draw a digit here with the mouse</source>
      <translation>在这里用鼠标画一个数字</translation>
    </message>
  </context>
  <context>
    <name>Glossary</name>
    <message>
      <location filename="../../gui/help.py" line="16" />
      <source>ε (epsilon): attack strength</source>
      <translation>ε（epsilon）：攻击强度</translation>
    </message>
    <message>
      <location filename="../../gui/help.py" line="17" />
      <source>How much the attacker may change each pixel, as a share of the full brightness range. ε = 0.2 means every pixel may become up to 20% brighter or darker. A person still reads the same digit, but a network often does not.</source>
      <translation>攻击者最多可以把每个像素改动多少，用整个亮度范围的比例表示。ε = 0.2 表示每个像素最多可以变亮或变暗 20%。人仍然能认出同一个数字，网络却常常认不出。</translation>
    </message>
    <message>
      <location filename="../../gui/help.py" line="26" />
      <source>λ (lambda): weight of the attacked images</source>
      <translation>λ（lambda）：被攻击图像的权重</translation>
    </message>
    <message>
      <location filename="../../gui/help.py" line="27" />
      <source>During training the model learns from normal images and from attacked ones. λ says how much the attacked ones count: 0 is ordinary training, 1 counts both equally, more favours robustness, usually at some cost in ordinary accuracy.</source>
      <translation>训练时模型同时从普通图像和被攻击的图像中学习。λ 表示被攻击图像的分量：0 是普通训练，1 表示两者同样重要，更大则更偏重稳健性，通常会牺牲一些普通准确率。</translation>
    </message>
    <message>
      <location filename="../../gui/help.py" line="36" />
      <source>FGSM: the one-step attack</source>
      <translation>FGSM：一步攻击</translation>
    </message>
    <message>
      <location filename="../../gui/help.py" line="37" />
      <source>Fast Gradient Sign Method. The attacker asks the network which direction of every pixel would hurt the right answer most, and moves each pixel by ε in that direction, once. Fast but weak.</source>
      <translation>快速梯度符号法。攻击者向网络询问每个像素往哪个方向改最能破坏正确答案，然后把每个像素朝该方向移动 ε，只做一次。速度快，但较弱。</translation>
    </message>
    <message>
      <location filename="../../gui/help.py" line="45" />
      <source>PGD: the many-step attack</source>
      <translation>PGD：多步攻击</translation>
    </message>
    <message>
      <location filename="../../gui/help.py" line="46" />
      <source>Projected Gradient Descent repeats small FGSM-like steps and stays within ε of the original image. It finds stronger adversarial examples than FGSM and is the usual test of robustness.</source>
      <translation>投影梯度下降法重复许多类似 FGSM 的小步，并始终保持在原图 ε 范围内。它能找到比 FGSM 更强的对抗样本，是检验稳健性的常用方法。</translation>
    </message>
    <message>
      <location filename="../../gui/help.py" line="54" />
      <source>Robust accuracy</source>
      <translation>稳健准确率</translation>
    </message>
    <message>
      <location filename="../../gui/help.py" line="55" />
      <source>The share of test images that the model still gets right after each one was attacked with strength ε. Ordinary (clean) accuracy measures normal images; robust accuracy measures images an attacker was allowed to change.</source>
      <translation>每张测试图像都以强度 ε 被攻击后，模型仍然认对的比例。普通（干净）准确率衡量的是普通图像；稳健准确率衡量的是攻击者被允许改动过的图像。</translation>
    </message>
    <message>
      <location filename="../../gui/help.py" line="64" />
      <source>Augmentation</source>
      <translation>数据增强</translation>
    </message>
    <message>
      <location filename="../../gui/help.py" line="65" />
      <source>Small random changes to training images (rotating, shifting, adding noise) so the model sees more variety. It helps the model generalise, but random changes are not attacks: it gives little protection against them.</source>
      <translation>对训练图像做小的随机改动（旋转、平移、加噪声），让模型见到更多变化。它有助于模型泛化，但随机改动不是攻击：它对攻击几乎没有防护作用。</translation>
    </message>
    <message>
      <location filename="../../gui/help.py" line="74" />
      <source>L1 and L2 penalties</source>
      <translation>L1 和 L2 惩罚</translation>
    </message>
    <message>
      <location filename="../../gui/help.py" line="75" />
      <source>Extra costs on large weights. L1 pushes many weights to exactly zero; L2 (weight decay) keeps all weights small. Both make a model simpler and can reduce overfitting.</source>
      <translation>对较大权重的额外代价。L1 会把许多权重压到正好为零；L2（权重衰减）让所有权重保持较小。两者都让模型更简单，并能减少过拟合。</translation>
    </message>
    <message>
      <location filename="../../gui/help.py" line="83" />
      <source>Dropout</source>
      <translation>Dropout（随机失活）</translation>
    </message>
    <message>
      <location filename="../../gui/help.py" line="84" />
      <source>While training, a random share of the network's neurons is switched off at every step, so the model cannot rely on any single one. Turned off automatically when the model is used.</source>
      <translation>训练时每一步都随机关闭网络中一部分神经元，使模型不能依赖任何单个神经元。使用模型时会自动关闭。</translation>
    </message>
  </context>
  <context>
    <name>GlossaryDialog</name>
    <message>
      <location filename="../../gui/help.py" line="98" />
      <source>What is this? – Glossary</source>
      <translation>这是什么？——术语表</translation>
    </message>
  </context>
  <context>
    <name>OwnData</name>
    <message>
      <location filename="../../gui/own_data.py" line="24" />
      <source>A folder with one sub-folder of images per class</source>
      <translation>一个文件夹，每个类别一个装有图片的子文件夹</translation>
    </message>
    <message>
      <location filename="../../gui/own_data.py" line="38" />
      <source>This folder cannot be used as a dataset</source>
      <translation>这个文件夹不能用作数据集</translation>
    </message>
    <message>
      <location filename="../../gui/own_data.py" line="43" />
      <source>Dataset: %1 classes (%2). Press ▶ Train to learn them.</source>
      <translation>数据集：%1 个类别（%2）。按 ▶ 训练来学习它们。</translation>
    </message>
    <message>
      <location filename="../../gui/own_data.py" line="56" />
      <source>Open your model</source>
      <translation>打开你的模型</translation>
    </message>
    <message>
      <location filename="../../gui/own_data.py" line="58" />
      <source>PyTorch models (*.pt2 *.pt *.pth);;All files (*)</source>
      <translation>PyTorch 模型 (*.pt2 *.pt *.pth);;所有文件 (*)</translation>
    </message>
    <message>
      <location filename="../../gui/own_data.py" line="66" />
      <source>These settings cannot be used</source>
      <translation>这些设置无法使用</translation>
    </message>
    <message>
      <location filename="../../gui/own_data.py" line="72" />
      <source>Which architecture?</source>
      <translation>哪种网络结构？</translation>
    </message>
    <message>
      <location filename="../../gui/own_data.py" line="73" />
      <source>These weights are for which built-in model?</source>
      <translation>这些权重属于哪个内置模型？</translation>
    </message>
    <message>
      <location filename="../../gui/own_data.py" line="89" />
      <source>This model cannot be used</source>
      <translation>这个模型无法使用</translation>
    </message>
    <message>
      <location filename="../../gui/own_data.py" line="97" />
      <source>Attacking your model %1</source>
      <translation>正在攻击你的模型 %1</translation>
    </message>
  </context>
  <context>
    <name>ui</name>
    <message>
      <location filename="../../gui/i18n.py" line="32" />
      <source>Experiment</source>
      <translation>实验</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="32" />
      <source>Dataset</source>
      <translation>数据集</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="33" />
      <source>Data folder</source>
      <translation>数据文件夹</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="33" />
      <source>Model</source>
      <translation>模型</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="33" />
      <source>Device</source>
      <translation>设备</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="34" />
      <source>Epochs</source>
      <translation>轮数</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="34" />
      <source>Batch size</source>
      <translation>批大小</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="35" />
      <source>Learning rate</source>
      <translation>学习率</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="35" />
      <source>Optimizer</source>
      <translation>优化器</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="35" />
      <source>Seed</source>
      <translation>随机种子</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="36" />
      <source>Digits 8×8 (built in)</source>
      <translation>8×8 数字（内置）</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="36" />
      <source>MNIST handwritten digits</source>
      <translation>MNIST 手写数字</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="37" />
      <source>Fashion-MNIST clothes</source>
      <translation>Fashion-MNIST 服装</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="37" />
      <source>CIFAR-10 photos</source>
      <translation>CIFAR-10 照片</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="38" />
      <source>My image folder…</source>
      <translation>我的图片文件夹…</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="38" />
      <source>Seed CNN (tiny, fast)</source>
      <translation>种子 CNN（很小、很快）</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="39" />
      <source>MLP (fully connected)</source>
      <translation>MLP（全连接）</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="39" />
      <source>Small CNN</source>
      <translation>小型 CNN</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="40" />
      <source>Small ResNet</source>
      <translation>小型 ResNet</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="40" />
      <source>Automatic</source>
      <translation>自动</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="41" />
      <source>Adversary and balance (live)</source>
      <translation>攻击者与权衡（实时）</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="41" />
      <source>Attack</source>
      <translation>攻击</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="42" />
      <source>ε (strength)</source>
      <translation>ε（强度）</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="42" />
      <source>PGD steps</source>
      <translation>PGD 步数</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="43" />
      <source>λ (weight)</source>
      <translation>λ（权重）</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="43" />
      <source>None (standard training)</source>
      <translation>无（普通训练）</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="44" />
      <source>FGSM (one step)</source>
      <translation>FGSM（一步）</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="44" />
      <source>FGSM + random start</source>
      <translation>FGSM + 随机起点</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="45" />
      <source>PGD (several steps)</source>
      <translation>PGD（多步）</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="45" />
      <source>Augmentation (live)</source>
      <translation>数据增强（实时）</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="46" />
      <source>Regularization (live)</source>
      <translation>正则化（实时）</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="46" />
      <source>Rotation</source>
      <translation>旋转</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="47" />
      <source>Shift</source>
      <translation>平移</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="47" />
      <source>Mirror</source>
      <translation>镜像</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="47" />
      <source>Crop</source>
      <translation>裁剪</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="48" />
      <source>Noise</source>
      <translation>噪声</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="48" />
      <source>Dropout</source>
      <translation>Dropout</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="49" />
      <source>Changes act on the next training step.</source>
      <translation>改动将在下一个训练步生效。</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="50" />
      <source>Training</source>
      <translation>训练</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="50" />
      <source>Robustness</source>
      <translation>稳健性</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="50" />
      <source>Runs</source>
      <translation>运行记录</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="51" />
      <source>▶  Train</source>
      <translation>▶  训练</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="51" />
      <source>❚❚  Pause</source>
      <translation>❚❚  暂停</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="51" />
      <source>■  Stop</source>
      <translation>■  停止</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="52" />
      <source>✓  Evaluate</source>
      <translation>✓  评估</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="52" />
      <source>Open run…</source>
      <translation>打开运行记录…</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="53" />
      <source>Ready</source>
      <translation>就绪</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="53" />
      <source>Attacks:</source>
      <translation>攻击方式：</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="54" />
      <source>random noise</source>
      <translation>随机噪声</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="55" />
      <source>The gallery shows attacked examples once training starts.</source>
      <translation>训练开始后，图库会显示被攻击的样本。</translation>
    </message>
    <message>
      <location filename="../../gui/i18n.py" line="56" />
      <source>Click to enlarge and see all class probabilities</source>
      <translation>点击放大并查看所有类别的概率</translation>
    </message>
  </context>
  <context>
    <name>Gallery</name>
    <message>
      <source>true &lt;b&gt;{true}&lt;/b&gt; · seen as {seen} ({conf})</source>
      <translation>真实 &lt;b&gt;{true}&lt;/b&gt; · 识别为 {seen}（{conf}）</translation>
    </message>
    <message>
      <source>FOOLED</source>
      <translation>被骗</translation>
    </message>
    <message>
      <source>attacked: {verdict}{seen} ({conf})</source>
      <translation>攻击后：{verdict}{seen}（{conf}）</translation>
    </message>
    <message>
      <source>&lt;b&gt;Step {step}&lt;/b&gt; · </source>
      <translation>&lt;b&gt;第 {step} 步&lt;/b&gt; · </translation>
    </message>
    <message>
      <source>Attack &lt;b&gt;{attack}&lt;/b&gt; at ε = {eps} ({px}/255) · {right}/{n} recognised before the attack, &lt;b style='color:#c62828'&gt;{fooled} fooled&lt;/b&gt; by it</source>
      <translation>攻击 &lt;b&gt;{attack}&lt;/b&gt;，ε = {eps}（{px}/255）· 攻击前认对 {right}/{n}，其中 &lt;b style='color:#c62828'&gt;{fooled} 个被骗&lt;/b&gt;</translation>
    </message>
    <message>
      <source>Each sample: original | the change, amplified ×{amp} (red brighter, blue darker) | attacked image. Click one to enlarge.</source>
      <translation>每个样本：原图 | 改动（放大 ×{amp}，红色更亮，蓝色更暗）| 攻击后的图。点击样本可放大。</translation>
    </message>
  </context>
</TS>
