<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>App</name>
    <message>
        <location filename="../../gui/app.py" line="92"/>
        <source>Something went wrong</source>
        <translation>出错了</translation>
    </message>
</context>
<context>
    <name>CriticalEpsView</name>
    <message>
        <location filename="../../gui/critical_eps.py" line="34"/>
        <location filename="../../gui/critical_eps.py" line="84"/>
        <source>Measure robustness with PGD to see at which ε each image falls.</source>
        <translation>用 PGD 测量稳健性，即可看到每张图像在多大的 ε 下被攻破。</translation>
    </message>
    <message>
        <location filename="../../gui/critical_eps.py" line="37"/>
        <source>Critical ε of each image</source>
        <translation>每张图像的临界 ε</translation>
    </message>
    <message>
        <location filename="../../gui/critical_eps.py" line="38"/>
        <source>images</source>
        <translation>图像数</translation>
    </message>
    <message>
        <location filename="../../gui/critical_eps.py" line="39"/>
        <source>ε (grey levels out of 255)</source>
        <translation>ε（255 级灰度中的级数）</translation>
    </message>
    <message>
        <location filename="../../gui/critical_eps.py" line="46"/>
        <source>These fall first:</source>
        <translation>最先被攻破的：</translation>
    </message>
    <message>
        <location filename="../../gui/critical_eps.py" line="47"/>
        <source>These hold longest:</source>
        <translation>坚持最久的：</translation>
    </message>
    <message>
        <location filename="../../gui/critical_eps.py" line="48"/>
        <source>Held-out images the model got right that the smallest ε already breaks</source>
        <translation>模型原本认对、但最小的 ε 就已攻破的留出图像</translation>
    </message>
    <message>
        <location filename="../../gui/critical_eps.py" line="49"/>
        <source>Held-out images that survive the largest ε (or fall last)</source>
        <translation>挺过最大 ε（或最后才被攻破）的留出图像</translation>
    </message>
    <message>
        <location filename="../../gui/critical_eps.py" line="58"/>
        <source>Sh&amp;ow them in the gallery</source>
        <translation>在图库中显示它们(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../gui/critical_eps.py" line="89"/>
        <source>No histogram: PGD was not among the attacks measured.</source>
        <translation>没有直方图：测量的攻击中没有 PGD。</translation>
    </message>
    <message>
        <location filename="../../gui/critical_eps.py" line="107"/>
        <source>More than half of the images survive every ε measured.</source>
        <translation>超过一半的图像挺过了所测的每个 ε。</translation>
    </message>
    <message>
        <location filename="../../gui/critical_eps.py" line="109"/>
        <source>More than half of the images are wrong before any attack.</source>
        <translation>超过一半的图像在攻击之前就已认错。</translation>
    </message>
    <message>
        <location filename="../../gui/critical_eps.py" line="111"/>
        <source>Median critical ε: %1 (black line): half of the images fall at or below it.</source>
        <translation>临界 ε 的中位数：%1（黑线）：一半的图像在此 ε 或更小时被攻破。</translation>
    </message>
    <message>
        <location filename="../../gui/critical_eps.py" line="117"/>
        <source>Of %1 images, %2 were wrong before any attack and %3 survive the largest ε.</source>
        <translation>%1 张图像中，%2 张在攻击前就已认错，%3 张挺过了最大的 ε。</translation>
    </message>
    <message>
        <location filename="../../gui/critical_eps.py" line="133"/>
        <source>not broken</source>
        <translation>未被攻破</translation>
    </message>
    <message>
        <location filename="../../gui/critical_eps.py" line="135"/>
        <source>falls at ε = %1</source>
        <translation>在 ε = %1 时被攻破</translation>
    </message>
    <message>
        <location filename="../../gui/critical_eps.py" line="137"/>
        <source>Held-out image %1: %2</source>
        <translation>留出图像 %1：%2</translation>
    </message>
    <message>
        <location filename="../../gui/critical_eps.py" line="146"/>
        <source>Attack these %3 images again in the Training tab&apos;s gallery, all at ε = %1 (%2): those that fell first come first and should fall, those that held longest come last and should hold. Move ε there to watch them go.</source>
        <translation>在“训练”页的图库中再次攻击这 %3 张图像，全部使用 ε = %1（%2）：最先被攻破的排在前面，应当被攻破；坚持最久的排在后面，应当挺住。在那里移动 ε，可以看着它们一个个失守。</translation>
    </message>
    <message>
        <location filename="../../gui/critical_eps.py" line="152"/>
        <source>the median critical ε</source>
        <translation>临界 ε 的中位数</translation>
    </message>
    <message>
        <location filename="../../gui/critical_eps.py" line="152"/>
        <source>the largest ε</source>
        <translation>最大的 ε</translation>
    </message>
</context>
<context>
    <name>CurvesView</name>
    <message>
        <location filename="../../gui/curves.py" line="49"/>
        <source>penalties (L1+L2)</source>
        <translation>惩罚项（L1+L2）</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="53"/>
        <source>clean (held-out)</source>
        <translation>干净（留出集）</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="54"/>
        <source>robust (held-out, PGD)</source>
        <translation>稳健（留出集，PGD）</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="130"/>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="131"/>
        <location filename="../../gui/curves.py" line="134"/>
        <source>training step</source>
        <translation>训练步</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="132"/>
        <location filename="../../gui/curves.py" line="248"/>
        <source>Losses per step</source>
        <translation>每步的损失</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="133"/>
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="135"/>
        <location filename="../../gui/curves.py" line="249"/>
        <source>Accuracy after each epoch</source>
        <translation>每轮结束后的准确率</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="170"/>
        <source>Smooth</source>
        <translation>平滑</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="171"/>
        <source>Show a moving average of the per-step losses (they are noisy batch by batch).</source>
        <translation>显示每步损失的滑动平均（逐批次的损失波动很大）。</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="176"/>
        <source> steps</source>
        <translation> 步</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="177"/>
        <source>How many steps the moving average spans.</source>
        <translation>滑动平均覆盖多少步。</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="178"/>
        <source>Log scale</source>
        <translation>对数坐标</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="179"/>
        <source>Show the losses on a logarithmic axis.</source>
        <translation>用对数坐标轴显示损失。</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="180"/>
        <source>Fit view</source>
        <translation>显示全部</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="181"/>
        <source>Zoom out to show all data (drag to pan, wheel to zoom, right-click for more).</source>
        <translation>缩小以显示全部数据（拖动可平移，滚轮可缩放，右键查看更多选项）。</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="184"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="185"/>
        <source>Save both plots as an image, or every recorded value as a table.</source>
        <translation>把两张图保存为图片，或把记录下的所有数值保存为表格。</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="188"/>
        <source>Image (PNG)…</source>
        <translation>图片 (PNG)…</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="189"/>
        <source>Table for a spreadsheet (CSV)…</source>
        <translation>电子表格 (CSV)…</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="304"/>
        <source>Applied from step %1: %2</source>
        <translation>从第 %1 步起生效：%2</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="426"/>
        <source>Export plots</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="426"/>
        <source>PNG image (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="432"/>
        <source>Export values</source>
        <translation>导出数值</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="432"/>
        <source>CSV table (*.csv)</source>
        <translation>CSV 表格 (*.csv)</translation>
    </message>
</context>
<context>
    <name>DatasetNote</name>
    <message>
        <location filename="../../gui/experiment.py" line="46"/>
        <source>Embedded 8×8 digits: %1 training / %2 held-out images.</source>
        <translation>内置 8×8 数字：%1 张训练图像 / %2 张留出图像。</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="47"/>
        <source>Only the %1 test files were found in %2: using a seeded %3 / %4 train / held-out split of them.</source>
        <translation>在 %2 中只找到了 %1 的测试文件：按固定的随机种子把它们分成 %3 张训练图像 / %4 张留出图像。</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="50"/>
        <source>Folder %1: %2 classes, %3 training / %4 held-out images.</source>
        <translation>文件夹 %1：%2 个类别，%3 张训练图像 / %4 张留出图像。</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="51"/>
        <source>Resumed from epoch %1.</source>
        <translation>从第 %1 轮继续。</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="52"/>
        <source>The run that was in this folder was moved to %1.</source>
        <translation>原来在这个文件夹里的运行记录已移到 %1。</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="53"/>
        <source>%1 file(s) could not be read as images and were skipped.</source>
        <translation>有 %1 个文件无法作为图片读取，已跳过。</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="54"/>
        <source>%1: %2 training images, %3 test images held out.</source>
        <translation>%1：%2 张训练图像，留出 %3 张测试图像。</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="55"/>
        <source>mnist</source>
        <translation>MNIST</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="56"/>
        <source>fashion-mnist</source>
        <translation>Fashion-MNIST</translation>
    </message>
</context>
<context>
    <name>DemoMode</name>
    <message>
        <location filename="../../gui/demo.py" line="166"/>
        <source>Start here</source>
        <translation>从这里开始</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="206"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="210"/>
        <source>Open an image folder as dataset…</source>
        <translation>打开图片文件夹作为数据集…</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="213"/>
        <source>Open my own model (.pt2 or weights)…</source>
        <translation>打开我自己的模型（.pt2 或权重）…</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="217"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="219"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="222"/>
        <source>Presentation mode</source>
        <translation>演示模式</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="225"/>
        <source>Large text, full screen, for a projector: gallery, live curves, ε and λ knobs stay usable</source>
        <translation>大字体、全屏，适合投影仪：图库、实时曲线以及 ε 和 λ 旋钮仍可使用</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="263"/>
        <source>standard model</source>
        <translation>普通模型</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="263"/>
        <source>robust model</source>
        <translation>稳健模型</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="264"/>
        <source>Attacking the ready-made %1: no training needed.</source>
        <translation>正在攻击现成的%1：无需训练。</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="266"/>
        <source>Your settings on the left are unchanged.</source>
        <translation>你在左侧的设置没有改变。</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="230"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="241"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="242"/>
        <source>What is this? Glossary…</source>
        <translation>这是什么？术语表…</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="244"/>
        <source>Draw your own digit…</source>
        <translation>自己画一个数字…</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="253"/>
        <source>Stop training first, then attack.</source>
        <translation>请先停止训练，再进行攻击。</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="260"/>
        <source>Attacking…</source>
        <translation>正在攻击…</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="330"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="331"/>
        <source>The new language is used the next time Robustness Lab starts.</source>
        <translation>新语言将在下次启动 Robustness Lab 时生效。</translation>
    </message>
</context>
<context>
    <name>DemoPanel</name>
    <message>
        <location filename="../../gui/demo.py" line="61"/>
        <source>Fool a neural network</source>
        <translation>骗过神经网络</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="66"/>
        <source>An adversarial example is an image changed so that a person still reads the same digit (at small ε the change cannot be seen at all), yet a neural network sees something else. Two ready-made digit readers are built in: try to fool them.</source>
        <translation>对抗样本是一张被改动过的图片：人仍然能认出同一个数字（ε 很小时根本看不出改动），神经网络却看成了别的。这里内置了两个现成的数字识别模型：试着骗过它们。</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="73"/>
        <source>Guided tours</source>
        <translation>引导演示</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="88"/>
        <source>Which model do you attack?</source>
        <translation>你要攻击哪个模型？</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="90"/>
        <source>Standard model
(trained the usual way)</source>
        <translation>普通模型
（按常规方式训练）</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="91"/>
        <source>Robust model
(trained against attacks)</source>
        <translation>稳健模型
（针对攻击训练过）</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="95"/>
        <source>Reads 99% of the test digits right, but was never shown an attacked image.</source>
        <translation>能正确识别 99% 的测试数字，但从未见过被攻击的图片。</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="98"/>
        <source>Learned from attacked digits too (adversarial training), so small changes rarely fool it.</source>
        <translation>也从被攻击的数字中学习过（对抗训练），所以微小的改动很少能骗过它。</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="104"/>
        <source>⚡ Attack!</source>
        <translation>⚡ 攻击！</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="107"/>
        <source>Attack held-out digits with PGD at the ε set on the left, and show them in the gallery</source>
        <translation>用左侧设置的 ε 以 PGD 攻击留出的测试数字，并在图库中显示</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="116"/>
        <source>✎ Draw your own digit…</source>
        <translation>✎ 自己画一个数字…</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="117"/>
        <source>Draw a digit with the mouse, see what the model says, then attack it</source>
        <translation>用鼠标画一个数字，看看模型怎么说，然后攻击它</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="118"/>
        <source>What do ε, λ, FGSM and PGD mean?</source>
        <translation>ε、λ、FGSM 和 PGD 是什么意思？</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="144"/>
        <source>standard model</source>
        <translation>普通模型</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="144"/>
        <source>robust model</source>
        <translation>稳健模型</translation>
    </message>
    <message>
        <location filename="../../gui/demo.py" line="147"/>
        <source>The attack (ε = %1) fooled the %2 on &lt;b&gt;%3 of %4&lt;/b&gt; digits it had read right. Red frames in the gallery show them.</source>
        <translation>攻击（ε = %1）在%2原本认对的 &lt;b&gt;%4 个数字中骗过了 %3 个&lt;/b&gt;。图库中的红框标出了它们。</translation>
    </message>
</context>
<context>
    <name>DrawDigitDialog</name>
    <message>
        <location filename="../../gui/canvas.py" line="163"/>
        <source>Draw your own digit</source>
        <translation>自己画一个数字</translation>
    </message>
    <message>
        <location filename="../../gui/canvas.py" line="167"/>
        <source>Standard model</source>
        <translation>普通模型</translation>
    </message>
    <message>
        <location filename="../../gui/canvas.py" line="167"/>
        <source>Robust model</source>
        <translation>稳健模型</translation>
    </message>
    <message>
        <location filename="../../gui/canvas.py" line="172"/>
        <source>Which of the two shipped models answers</source>
        <translation>由两个内置模型中的哪一个来回答</translation>
    </message>
    <message>
        <location filename="../../gui/canvas.py" line="174"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location filename="../../gui/canvas.py" line="177"/>
        <source>Your drawing as the model sees it: 8×8 pixels, like the training digits</source>
        <translation>模型眼中的你的画：8×8 像素，和训练用的数字一样</translation>
    </message>
    <message>
        <location filename="../../gui/canvas.py" line="179"/>
        <source>Make it adversarial (ε = %1)</source>
        <translation>生成对抗版本（ε = %1）</translation>
    </message>
    <message>
        <location filename="../../gui/canvas.py" line="181"/>
        <source>Change every pixel by at most ε so that the model changes its mind</source>
        <translation>每个像素最多改动 ε，让模型改变答案</translation>
    </message>
    <message>
        <location filename="../../gui/canvas.py" line="191"/>
        <source>1. Draw a digit (0–9)</source>
        <translation>1. 画一个数字（0–9）</translation>
    </message>
    <message>
        <location filename="../../gui/canvas.py" line="198"/>
        <source>2. What the model sees and says</source>
        <translation>2. 模型看到的和它的回答</translation>
    </message>
    <message>
        <location filename="../../gui/canvas.py" line="226"/>
        <source>3. Press the button above</source>
        <translation>3. 按上面的按钮</translation>
    </message>
    <message>
        <location filename="../../gui/canvas.py" line="230"/>
        <source>Draw something</source>
        <translation>请画点什么</translation>
    </message>
    <message>
        <location filename="../../gui/canvas.py" line="246"/>
        <source>It is a %1 (%2%)</source>
        <translation>这是 %1（%2%）</translation>
    </message>
    <message>
        <location filename="../../gui/canvas.py" line="254"/>
        <source>No answer: %1</source>
        <translation>没有回答：%1</translation>
    </message>
    <message>
        <location filename="../../gui/canvas.py" line="277"/>
        <source>Fooled! Now a %1 (%2%)</source>
        <translation>被骗了！现在是 %1（%2%）</translation>
    </message>
    <message>
        <location filename="../../gui/canvas.py" line="277"/>
        <source>Not fooled: still a %1 (%2%)</source>
        <translation>没被骗：仍然是 %1（%2%）</translation>
    </message>
</context>
<context>
    <name>DrawingCanvas</name>
    <message>
        <location filename="../../gui/canvas.py" line="79"/>
        <source>Draw a digit here with the mouse</source>
        <translation>在这里用鼠标画一个数字</translation>
    </message>
</context>
<context>
    <name>EngineProcess</name>
    <message>
        <location filename="../../gui/engine_process.py" line="48"/>
        <source>still running</source>
        <translation>仍在运行</translation>
    </message>
    <message>
        <location filename="../../gui/engine_process.py" line="49"/>
        <source>killed by signal %1</source>
        <translation>被信号 %1 终止</translation>
    </message>
    <message>
        <location filename="../../gui/engine_process.py" line="50"/>
        <source>exited with code %1</source>
        <translation>以退出码 %1 结束</translation>
    </message>
    <message>
        <location filename="../../gui/engine_process.py" line="51"/>
        <source>closed its connection</source>
        <translation>关闭了连接</translation>
    </message>
</context>
<context>
    <name>ExperimentPanel</name>
    <message>
        <location filename="../../gui/experiment.py" line="28"/>
        <source>Digits 8×8 (built in)</source>
        <translation>8×8 数字（内置）</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="29"/>
        <source>MNIST handwritten digits</source>
        <translation>MNIST 手写数字</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="30"/>
        <source>Fashion-MNIST clothes</source>
        <translation>Fashion-MNIST 服装</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="31"/>
        <source>CIFAR-10 photos</source>
        <translation>CIFAR-10 照片</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="32"/>
        <source>My image folder…</source>
        <translation>我的图片文件夹…</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="35"/>
        <source>Seed CNN (tiny, fast)</source>
        <translation>种子 CNN（很小、很快）</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="36"/>
        <source>MLP (fully connected)</source>
        <translation>MLP（全连接）</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="37"/>
        <source>Small CNN</source>
        <translation>小型 CNN</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="38"/>
        <source>Small ResNet</source>
        <translation>小型 ResNet</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="40"/>
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="41"/>
        <source>SGD with momentum</source>
        <translation>带动量的 SGD</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="93"/>
        <source>Experiment</source>
        <translation>实验</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="98"/>
        <source>Which images to learn from. The built-in digits work offline; the others read files from the data folder.</source>
        <translation>从哪些图像中学习。内置的数字无需联网即可使用；其他数据集从数据文件夹读取文件。</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="103"/>
        <source>default data folder</source>
        <translation>默认数据文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="106"/>
        <source>Folder holding the dataset files (or, for &apos;My image folder&apos;, one sub-folder per class). Empty: the standard data folder.</source>
        <translation>存放数据集文件的文件夹（对于“我的图片文件夹”，则是每个类别一个子文件夹）。留空：使用标准数据文件夹。</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="112"/>
        <source>Choose the data folder</source>
        <translation>选择数据文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="117"/>
        <source>The network that is trained. Bigger models learn more but train more slowly.</source>
        <translation>要训练的网络。更大的模型能学到更多，但训练得更慢。</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="123"/>
        <source>Where to compute. &apos;Automatic&apos; uses a GPU when there is one; the status bar shows what is actually used.</source>
        <translation>在哪里计算。“自动”会在有 GPU 时使用 GPU；状态栏显示实际使用的设备。</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="129"/>
        <source>How many times the training images are gone through.</source>
        <translation>把全部训练图像过几遍。</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="132"/>
        <source>How many images are used for each update step.</source>
        <translation>每个更新步使用多少张图像。</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="137"/>
        <source>Learning rate: how big each update step is. Too big diverges, too small is slow.</source>
        <translation>学习率：每个更新步迈多大。太大会发散，太小会很慢。</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="138"/>
        <source>The update rule. Adam is a safe default.</source>
        <translation>参数更新的规则。Adam 是稳妥的默认选择。</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="141"/>
        <source>Random seed: the same seed and settings give the same run.</source>
        <translation>随机种子：相同的种子和设置会得到相同的运行结果。</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="145"/>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="151"/>
        <location filename="../../gui/experiment.py" line="189"/>
        <source>Data folder</source>
        <translation>数据文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="152"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="153"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="154"/>
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="155"/>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="156"/>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="157"/>
        <source>Optimizer</source>
        <translation>优化器</translation>
    </message>
    <message>
        <location filename="../../gui/experiment.py" line="158"/>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
</context>
<context>
    <name>Gallery</name>
    <message>
        <location filename="../../gui/gallery.py" line="109"/>
        <source>true &lt;b&gt;{true}&lt;/b&gt; · seen as {seen} ({conf})</source>
        <translation>真实 &lt;b&gt;{true}&lt;/b&gt; · 识别为 {seen}（{conf}）</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="117"/>
        <source>attacked: {verdict}{seen} ({conf})</source>
        <translation>攻击后：{verdict}{seen}（{conf}）</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="349"/>
        <source>&lt;b&gt;Step {step}&lt;/b&gt; · </source>
        <translation>&lt;b&gt;第 {step} 步&lt;/b&gt; · </translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="350"/>
        <source>Attack &lt;b&gt;{attack}&lt;/b&gt; at ε = {eps} · {right}/{n} recognised before the attack, &lt;b style=&apos;color:#c62828&apos;&gt;{fooled} fooled&lt;/b&gt; by it</source>
        <translation>攻击 &lt;b&gt;{attack}&lt;/b&gt;，ε = {eps} · 攻击前认对 {right}/{n}，其中 &lt;b style=&apos;color:#c62828&apos;&gt;{fooled} 个被骗&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="362"/>
        <source>a change most people cannot see</source>
        <translation>大多数人看不出的改动</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="364"/>
        <source>a change you can see, yet a person still reads each image</source>
        <translation>看得出的改动，但人仍能认出每张图</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="365"/>
        <source>Each sample: original | the change, amplified ×{amp} at every ε (red brighter, blue darker) | attacked image: {seen}. Click one to enlarge.</source>
        <translation>每个样本：原图 | 改动（任何 ε 下都放大 ×{amp}，红色更亮，蓝色更暗）| 攻击后的图：{seen}。点击样本可放大。</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="115"/>
        <source>FOOLED</source>
        <translation>被骗</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="72"/>
        <source>Click to enlarge and see all class probabilities</source>
        <translation>点击放大并查看所有类别的概率</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="73"/>
        <source>Original image</source>
        <translation>原图</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="76"/>
        <source>The attacker&apos;s change, amplified (red brighter, blue darker)</source>
        <translation>攻击者做的改动，已放大（红色更亮，蓝色更暗）</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="78"/>
        <source>Attacked image</source>
        <translation>攻击后的图</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="121"/>
        <source>aim {target}</source>
        <translation>目标 {target}</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="147"/>
        <source>Sample {n}: true class {name}</source>
        <translation>样本 {n}：真实类别 {name}</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="155"/>
        <source>Original</source>
        <translation>原图</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="157"/>
        <source>Change (±{px}/255 at full colour)</source>
        <translation>改动（满色 = ±{px}/255）</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="163"/>
        <source>Attacked ({attack}, ε = {eps})</source>
        <translation>攻击后（{attack}，ε = {eps}）</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="176"/>
        <source>Class probabilities</source>
        <translation>各类别的概率</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="177"/>
        <source>probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="186"/>
        <source>before attack</source>
        <translation>攻击前</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="193"/>
        <source>after attack</source>
        <translation>攻击后</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="202"/>
        <source>The attack fooled the model.</source>
        <translation>攻击骗过了模型。</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="204"/>
        <source>The attack did not change a right answer.</source>
        <translation>攻击没有改变正确的答案。</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="206"/>
        <source>The model was already wrong before the attack.</source>
        <translation>模型在攻击前就已经认错了。</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="208"/>
        <source>The model was right before and still is.</source>
        <translation>模型攻击前认对，攻击后仍然认对。</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="211"/>
        <source>True class &lt;b&gt;{true}&lt;/b&gt;. Before the attack the model says &lt;b&gt;{before}&lt;/b&gt; ({p_before}); after it, &lt;b&gt;{after}&lt;/b&gt; ({p_after}). {verdict}</source>
        <translation>真实类别 &lt;b&gt;{true}&lt;/b&gt;。攻击前模型认为是 &lt;b&gt;{before}&lt;/b&gt;（{p_before}）；攻击后认为是 &lt;b&gt;{after}&lt;/b&gt;（{p_after}）。{verdict}</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="228"/>
        <source>Class &amp;probabilities</source>
        <translation>类别概率(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="229"/>
        <source>What the model &amp;looks at</source>
        <translation>模型在看哪里(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="232"/>
        <source>Saliency maps: which pixels the answer depends on, for this model and the shipped standard and robust models</source>
        <translation>显著性图：回答取决于哪些像素——当前模型以及随附的标准模型和稳健模型</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="244"/>
        <source>there is no model to ask.</source>
        <translation>没有可以询问的模型。</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="272"/>
        <source>Aim the attack at a class of your choice: the attacker changes each image until the model sees that class (a targeted attack, harder than just any wrong answer). Works on a finished model.</source>
        <translation>让攻击瞄准你选的类别：攻击者修改每张图像，直到模型把它看成那个类别（定向攻击，比随便错成哪一类更难）。用于训练好的模型。</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="278"/>
        <source>Ma&amp;ke it look like a:</source>
        <translation>让它看起来像(&amp;K)：</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="358"/>
        <source>&lt;b&gt;{hit}/{n}&lt;/b&gt; now seen as the class they were pushed toward</source>
        <translation>&lt;b&gt;{hit}/{n}&lt;/b&gt; 张现在被认成了目标类别</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="372"/>
        <source>Model: {model}</source>
        <translation>模型：{model}</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="384"/>
        <source>any wrong class (untargeted)</source>
        <translation>任意错误类别（非定向）</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="387"/>
        <source>a random other class</source>
        <translation>随机的另一类</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="388"/>
        <source>the class it finds least likely</source>
        <translation>模型认为最不可能的类别</translation>
    </message>
    <message>
        <location filename="../../gui/gallery.py" line="425"/>
        <source>From the Robustness tab: the {first} images that fall first (the smallest critical ε), then the {last} that hold longest.</source>
        <translation>来自“稳健性”页：先是最先被攻破的 {first} 张图像（临界 ε 最小），然后是坚持最久的 {last} 张。</translation>
    </message>
</context>
<context>
    <name>Glossary</name>
    <message>
        <location filename="../../gui/help.py" line="16"/>
        <source>ε (epsilon): attack strength</source>
        <translation>ε（epsilon）：攻击强度</translation>
    </message>
    <message>
        <location filename="../../gui/help.py" line="17"/>
        <source>How much the attacker may change each pixel, as a share of the full brightness range. ε = 0.2 means every pixel may become up to 20% brighter or darker. A person still reads the same digit, but a network often does not.</source>
        <translation>攻击者最多可以把每个像素改动多少，用整个亮度范围的比例表示。ε = 0.2 表示每个像素最多可以变亮或变暗 20%。人仍然能认出同一个数字，网络却常常认不出。</translation>
    </message>
    <message>
        <location filename="../../gui/help.py" line="26"/>
        <source>λ (lambda): weight of the attacked images</source>
        <translation>λ（lambda）：被攻击图像的权重</translation>
    </message>
    <message>
        <location filename="../../gui/help.py" line="27"/>
        <source>During training the model learns from normal images and from attacked ones. λ says how much the attacked ones count: 0 is ordinary training, 1 counts both equally, more favours robustness, usually at some cost in ordinary accuracy.</source>
        <translation>训练时模型同时从普通图像和被攻击的图像中学习。λ 表示被攻击图像的分量：0 是普通训练，1 表示两者同样重要，更大则更偏重稳健性，通常会牺牲一些普通准确率。</translation>
    </message>
    <message>
        <location filename="../../gui/help.py" line="36"/>
        <source>β (beta): weight of the closeness term</source>
        <translation>β（beta）：一致性项的权重</translation>
    </message>
    <message>
        <location filename="../../gui/help.py" line="37"/>
        <source>TRADES and MART ask the model to give an attacked image the same answer as the clean one. β says how much that counts: more favours robustness, usually at some cost in ordinary accuracy.</source>
        <translation>TRADES 和 MART 要求模型对被攻击的图像给出与原图相同的答案。β 表示这一要求占多大分量：越大越偏向稳健，通常要以一些普通准确率为代价。</translation>
    </message>
    <message>
        <location filename="../../gui/help.py" line="45"/>
        <source>Training method</source>
        <translation>训练方法</translation>
    </message>
    <message>
        <location filename="../../gui/help.py" line="46"/>
        <source>How the model is made robust. Adversarial training learns from attacked images (weight λ). TRADES and MART also learn from attacked images, in two other ways (weight β). Certified training works with interval bounds so that robustness can be proven, not only tested; it suits small models.</source>
        <translation>让模型变得稳健的方式。对抗训练从被攻击的图像中学习（权重 λ）。TRADES 和 MART 也从被攻击的图像中学习，只是用另外两种方式（权重 β）。可证明训练借助区间界，使稳健性不仅能被测试，还能被证明；它适合小模型。</translation>
    </message>
    <message>
        <location filename="../../gui/help.py" line="55"/>
        <source>FGSM: the one-step attack</source>
        <translation>FGSM：一步攻击</translation>
    </message>
    <message>
        <location filename="../../gui/help.py" line="56"/>
        <source>Fast Gradient Sign Method. The attacker asks the network which direction of every pixel would hurt the right answer most, and moves each pixel by ε in that direction, once. Fast but weak.</source>
        <translation>快速梯度符号法。攻击者向网络询问每个像素往哪个方向改最能破坏正确答案，然后把每个像素朝该方向移动 ε，只做一次。速度快，但较弱。</translation>
    </message>
    <message>
        <location filename="../../gui/help.py" line="64"/>
        <source>PGD: the many-step attack</source>
        <translation>PGD：多步攻击</translation>
    </message>
    <message>
        <location filename="../../gui/help.py" line="65"/>
        <source>Projected Gradient Descent repeats small FGSM-like steps and stays within ε of the original image. It finds stronger adversarial examples than FGSM and is the usual test of robustness.</source>
        <translation>投影梯度下降法重复许多类似 FGSM 的小步，并始终保持在原图 ε 范围内。它能找到比 FGSM 更强的对抗样本，是检验稳健性的常用方法。</translation>
    </message>
    <message>
        <location filename="../../gui/help.py" line="73"/>
        <source>Robust accuracy</source>
        <translation>稳健准确率</translation>
    </message>
    <message>
        <location filename="../../gui/help.py" line="74"/>
        <source>The share of test images that the model still gets right after each one was attacked with strength ε. Ordinary (clean) accuracy measures normal images; robust accuracy measures images an attacker was allowed to change.</source>
        <translation>每张测试图像都以强度 ε 被攻击后，模型仍然认对的比例。普通（干净）准确率衡量的是普通图像；稳健准确率衡量的是攻击者被允许改动过的图像。</translation>
    </message>
    <message>
        <location filename="../../gui/help.py" line="83"/>
        <source>Augmentation</source>
        <translation>数据增强</translation>
    </message>
    <message>
        <location filename="../../gui/help.py" line="84"/>
        <source>Small random changes to training images (rotating, shifting, adding noise) so the model sees more variety. It helps the model generalise, but random changes are not attacks: it gives little protection against them.</source>
        <translation>对训练图像做小的随机改动（旋转、平移、加噪声），让模型见到更多变化。它有助于模型泛化，但随机改动不是攻击：它对攻击几乎没有防护作用。</translation>
    </message>
    <message>
        <location filename="../../gui/help.py" line="93"/>
        <source>L1 and L2 penalties</source>
        <translation>L1 和 L2 惩罚</translation>
    </message>
    <message>
        <location filename="../../gui/help.py" line="94"/>
        <source>Extra costs on large weights. L1 pushes many weights to exactly zero; L2 (weight decay) keeps all weights small. Both make a model simpler and can reduce overfitting.</source>
        <translation>对较大权重的额外代价。L1 会把许多权重压到正好为零；L2（权重衰减）让所有权重保持较小。两者都让模型更简单，并能减少过拟合。</translation>
    </message>
    <message>
        <location filename="../../gui/help.py" line="102"/>
        <source>Dropout</source>
        <translation>随机失活（Dropout）</translation>
    </message>
    <message>
        <location filename="../../gui/help.py" line="103"/>
        <source>While training, a random share of the network&apos;s neurons is switched off at every step, so the model cannot rely on any single one. Turned off automatically when the model is used.</source>
        <translation>训练时每一步都随机关闭网络中一部分神经元，使模型不能依赖任何单个神经元。使用模型时会自动关闭。</translation>
    </message>
</context>
<context>
    <name>GlossaryDialog</name>
    <message>
        <location filename="../../gui/help.py" line="117"/>
        <source>What is this? – Glossary</source>
        <translation>这是什么？——术语表</translation>
    </message>
</context>
<context>
    <name>Knob</name>
    <message>
        <location filename="../../gui/curves.py" line="443"/>
        <source>attack</source>
        <translation>攻击</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="444"/>
        <source>PGD steps</source>
        <translation>PGD 步数</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="445"/>
        <source>step size</source>
        <translation>步长</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="446"/>
        <source>learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="447"/>
        <source>dropout</source>
        <translation>随机失活</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="450"/>
        <source>noise</source>
        <translation>噪声</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="451"/>
        <source>crop</source>
        <translation>裁剪</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="452"/>
        <source>rotation</source>
        <translation>旋转</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="453"/>
        <source>shift</source>
        <translation>平移</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="454"/>
        <source>hflip</source>
        <translation>镜像</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="455"/>
        <source>gallery_every</source>
        <translation>图库刷新间隔（步）</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="456"/>
        <source>gallery_seconds</source>
        <translation>图库刷新间隔（秒）</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="469"/>
        <source>on</source>
        <translation>开</translation>
    </message>
    <message>
        <location filename="../../gui/curves.py" line="469"/>
        <source>off</source>
        <translation>关</translation>
    </message>
</context>
<context>
    <name>KnobsPanel</name>
    <message>
        <location filename="../../gui/knobs.py" line="40"/>
        <source>None (standard training)</source>
        <translation>无（普通训练）</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="41"/>
        <source>FGSM (one step)</source>
        <translation>FGSM（一步）</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="42"/>
        <source>FGSM + random start</source>
        <translation>FGSM + 随机起点</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="43"/>
        <source>N-FGSM (noise start)</source>
        <translation>N-FGSM（噪声起点）</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="44"/>
        <source>PGD (several steps)</source>
        <translation>PGD（多步）</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="47"/>
        <source>This setting cannot change while training runs.</source>
        <translation>训练进行时不能更改这个设置。</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="150"/>
        <location filename="../../gui/knobs.py" line="469"/>
        <source>Changes act on the next training step.</source>
        <translation>改动将在下一个训练步生效。</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="166"/>
        <source>Adversary and balance (live)</source>
        <translation>攻击者与权衡（实时）</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="173"/>
        <source>Learns from clean and attacked images: L_total = L_clean + λ·L_adv.</source>
        <translation>同时从原图和被攻击的图像中学习：L_total = L_clean + λ·L_adv。</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="175"/>
        <source>Keeps the answer on an attacked image close to the answer on the clean one; β says how close (Zhang et al. 2019).</source>
        <translation>让模型对被攻击图像的答案接近它对原图的答案；β 决定要多接近（张宏阳等，2019）。</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="179"/>
        <source>Trains on attacked images and pushes hardest on the images the model gets wrong (Wang et al. 2020).</source>
        <translation>在被攻击的图像上训练，并对模型答错的图像用力最大（王奕森等，2020）。</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="182"/>
        <source>Trains so that robustness can be proven, not only tested (Gowal et al. 2018); small models only.</source>
        <translation>训练出不仅能被测试、还能被证明的稳健性（戈瓦尔等，2018）；仅限小模型。</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="186"/>
        <source>Adversarial training (λ)</source>
        <translation>对抗训练（λ）</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="187"/>
        <source>TRADES (β)</source>
        <translation>TRADES（β）</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="188"/>
        <source>MART (β)</source>
        <translation>MART（β）</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="189"/>
        <source>Certified (interval bounds)</source>
        <translation>可证明训练（区间界）</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="205"/>
        <source>How the training images are attacked to make the adversarial loss.
FGSM takes one step, PGD several (stronger, slower). &apos;None&apos; trains normally.</source>
        <translation>如何攻击训练图像以得到对抗损失。
FGSM 走一步，PGD 走多步（更强、更慢）。“无”表示普通训练。</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="212"/>
        <source>ε (epsilon): how far the attacker may change each pixel, as a fraction of the full
brightness range and in 1/255 grey-level steps. Larger ε = stronger attack.</source>
        <translation>ε：攻击者最多可以把每个像素改动多少，用整个亮度范围的比例表示，
以 1/255 个灰度级为单位。ε 越大，攻击越强。</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="216"/>
        <source>%1 steps</source>
        <translation>%1 步</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="219"/>
        <source>Number of PGD steps: more steps find stronger adversarial images but cost time.</source>
        <translation>PGD 的步数：步数越多，找到的对抗图像越强，但也越费时间。</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="224"/>
        <source>λ (lambda): how much the adversarial loss counts.
0 = standard training; 1 = clean and adversarial equally; higher = favour robustness.</source>
        <translation>λ：对抗损失的分量。
0 = 普通训练；1 = 干净样本与对抗样本同样重要；更大 = 更偏重稳健性。</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="231"/>
        <source>β (beta): how strongly TRADES and MART insist that an attacked image gets the same answer
as the clean one. Higher = favour robustness, usually at some cost in clean accuracy; 6 is usual.</source>
        <translation>β：TRADES 和 MART 要求被攻击图像与原图得到相同答案的力度。
越大越偏向稳健，通常要以一些原图准确率为代价；常用值为 6。</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="235"/>
        <source>Method</source>
        <translation>训练方法</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="237"/>
        <source>Attack</source>
        <translation>攻击</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="238"/>
        <source>ε (strength)</source>
        <translation>ε（强度）</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="239"/>
        <source>PGD steps</source>
        <translation>PGD 步数</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="240"/>
        <source>λ (weight)</source>
        <translation>λ（权重）</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="241"/>
        <source>β (weight)</source>
        <translation>β（权重）</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="283"/>
        <source>Augmentation (live)</source>
        <translation>数据增强（实时）</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="288"/>
        <source>%1% of size</source>
        <translation>尺寸的 %1%</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="288"/>
        <source>%1 px pad</source>
        <translation>填充 %1 像素</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="295"/>
        <source>Randomly rotate training images by up to this angle.</source>
        <translation>随机旋转训练图像，最多转到这个角度。</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="297"/>
        <source>Rotation</source>
        <translation>旋转</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="302"/>
        <source>Randomly move training images by up to this fraction.</source>
        <translation>随机平移训练图像，最多移动这个比例。</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="304"/>
        <source>Shift</source>
        <translation>平移</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="309"/>
        <source>Randomly mirror training images left-right (not for digits!).</source>
        <translation>随机左右镜像训练图像（不适用于数字！）。</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="311"/>
        <source>Mirror</source>
        <translation>镜像</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="316"/>
        <source>Pad with black and cut a random window back out.</source>
        <translation>在四周补上黑边，再随机裁剪出原大小的一块。</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="318"/>
        <source>Crop</source>
        <translation>裁剪</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="323"/>
        <source>Add random Gaussian noise of this strength to pixels.</source>
        <translation>给像素加上这个强度的随机高斯噪声。</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="325"/>
        <source>Noise</source>
        <translation>噪声</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="331"/>
        <source>Regularization (live)</source>
        <translation>正则化（实时）</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="336"/>
        <source>L1 penalty: pushes weights to exactly zero (sparser model). Far left = off.</source>
        <translation>L1 惩罚：把权重压到正好为零（模型更稀疏）。拖到最左端 = 关闭。</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="338"/>
        <source>L2 penalty (weight decay): keeps weights small. Far left = off.</source>
        <translation>L2 惩罚（权重衰减）：让权重保持较小。拖到最左端 = 关闭。</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="340"/>
        <source>Dropout: randomly silence this share of neurons while training.</source>
        <translation>随机失活：训练时随机关闭这个比例的神经元。</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="343"/>
        <source>Dropout</source>
        <translation>随机失活</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="458"/>
        <source>In force from step %1: %2</source>
        <translation>从第 %1 步起生效：%2</translation>
    </message>
    <message>
        <location filename="../../gui/knobs.py" line="463"/>
        <source>Not applied: %1</source>
        <translation>未应用：%1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../gui/main_window.py" line="151"/>
        <source> or </source>
        <translation> 或 </translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="159"/>
        <source>▶  Train</source>
        <translation>▶  训练</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="159"/>
        <source>Start training with these settings</source>
        <translation>用这些设置开始训练</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="162"/>
        <location filename="../../gui/main_window.py" line="644"/>
        <source>❚❚  Pause</source>
        <translation>❚❚  暂停</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="162"/>
        <source>Pause or resume training</source>
        <translation>暂停或继续训练</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="165"/>
        <source>■  Stop</source>
        <translation>■  停止</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="165"/>
        <source>Stop training and save the run</source>
        <translation>停止训练并保存这次运行</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="168"/>
        <source>✓  Evaluate</source>
        <translation>✓  评估</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="170"/>
        <source>Measure accuracy now (during training) or robustness (after)</source>
        <translation>立即测量准确率（训练期间）或稳健性（训练之后）</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="174"/>
        <source>Open run…</source>
        <translation>打开运行记录…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="174"/>
        <source>Load a finished run to inspect</source>
        <translation>载入一次已完成的运行来查看</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="176"/>
        <source>Controls</source>
        <translation>控制</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="247"/>
        <source>These settings cannot be used</source>
        <translation>这些设置无法使用</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="262"/>
        <source>Sweep cancelled: the current run stops and is saved.</source>
        <translation>扫描已取消：当前运行会停止并保存。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="307"/>
        <source>A run is in progress</source>
        <translation>有一次运行正在进行</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="307"/>
        <source>Stop the current run (Esc) before starting a sweep.</source>
        <translation>开始扫描前，请先停止当前运行（Esc）。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="275"/>
        <location filename="../../gui/main_window.py" line="293"/>
        <location filename="../../gui/main_window.py" line="331"/>
        <source>This sweep cannot start</source>
        <translation>这次扫描无法开始</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="240"/>
        <source>A sweep is in progress</source>
        <translation>扫描正在进行</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="241"/>
        <source>Its runs are training in the background. Cancel the sweep (Runs tab) to train now.</source>
        <translation>扫描的运行正在后台训练。要现在训练，请先取消扫描（在“运行记录”页）。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="257"/>
        <source>Stopping the sweep: the runs in training save their checkpoints…</source>
        <translation>正在停止扫描：训练中的运行正在保存检查点…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="337"/>
        <source>All %1 runs of this sweep are trained already; nothing was trained again.</source>
        <translation>这个扫描的全部 %1 个运行都已训练完成；没有重新训练任何运行。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="353"/>
        <source>Sweep: %1 of %2 runs ended, up to %3 training at once…</source>
        <translation>扫描：%2 个运行中已结束 %1 个，最多同时训练 %3 个…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="371"/>
        <source>Sweep ended: %1 runs failed (their folders say why).</source>
        <translation>扫描结束：有 %1 个运行失败（原因见各自的文件夹）。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="376"/>
        <location filename="../../gui/main_window.py" line="377"/>
        <source>The sweep stopped</source>
        <translation>扫描已停止</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="380"/>
        <source>Sweep stopped. Queue the same sweep again to resume the stopped runs.</source>
        <translation>扫描已停止。再次加入同一个扫描，即可从检查点继续被停止的运行。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="394"/>
        <source>seed %1</source>
        <translation>种子 %1</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="397"/>
        <source>Sweep: run %1 of %2 (%3) is training…</source>
        <translation>扫描：正在训练第 %1 个运行（共 %2 个）（%3）…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="411"/>
        <source>Attacking %1 images on each of %2 models…</source>
        <translation>正在 %2 个模型上各攻击 %1 张图像…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="419"/>
        <location filename="../../gui/main_window.py" line="575"/>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="432"/>
        <source>Open a run folder</source>
        <translation>打开运行记录文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="453"/>
        <source>your model file %1</source>
        <translation>你的模型文件 %1</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="456"/>
        <source>the ready-made standard model</source>
        <translation>现成的普通模型</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="458"/>
        <source>the ready-made robust model</source>
        <translation>现成的稳健模型</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="461"/>
        <source>your run “%1”</source>
        <translation>你的运行“%1”</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="469"/>
        <source>your run %1</source>
        <translation>你的运行 %1</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="509"/>
        <source>Reopened your last run: %1</source>
        <translation>已重新打开你上次的运行记录：%1</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="518"/>
        <source>Cannot open this run</source>
        <translation>无法打开这个运行记录</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="524"/>
        <source>Opened %1</source>
        <translation>已打开 %1</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="553"/>
        <source>The gallery can be re-made once training has stopped and a model is open.</source>
        <translation>训练停止并且打开了一个模型之后，才能重新生成图库。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="568"/>
        <source>Attacking %1 held-out images…</source>
        <translation>正在攻击 %1 张留出图像…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="570"/>
        <source>There is no trained model yet: train one (Ctrl+R) or open a run.</source>
        <translation>还没有训练好的模型：请训练一个（Ctrl+R）或打开一个运行记录。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="588"/>
        <source>Epoch %1: clean accuracy %2, robust accuracy %3</source>
        <translation>第 %1 轮：干净准确率 %2，稳健准确率 %3</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="609"/>
        <source>Training %1 images, %2 steps per epoch</source>
        <translation>正在训练 %1 张图像，每轮 %2 步</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="618"/>
        <source>Training completed</source>
        <translation>训练完成</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="619"/>
        <source>Training stopped</source>
        <translation>训练已停止</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="620"/>
        <source>Training interrupted</source>
        <translation>训练被中断</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="623"/>
        <source>%1: clean accuracy %2, robust %3. Saved in %4</source>
        <translation>%1：干净准确率 %2，稳健准确率 %3。已保存到 %4</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="637"/>
        <source>Sweep stopped: a run failed.</source>
        <translation>扫描已停止：有一个运行失败了。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="373"/>
        <location filename="../../gui/main_window.py" line="658"/>
        <source>Sweep finished: every run is a point on the trade-off plot.</source>
        <translation>扫描完成：每个运行都是权衡图上的一个点。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="680"/>
        <source>Sweep stopped: the engine stopped.</source>
        <translation>扫描已停止：引擎停止了。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="638"/>
        <source>Training stopped with an error</source>
        <translation>训练因错误而停止</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="644"/>
        <source>▶  Resume</source>
        <translation>▶  继续</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="664"/>
        <source>The measurement failed.</source>
        <translation>测量失败。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="666"/>
        <source>The transfer measurement failed.</source>
        <translation>迁移测量失败。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="668"/>
        <source>The gallery could not be updated</source>
        <translation>无法更新图库</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="669"/>
        <source>Transfer could not be measured</source>
        <translation>无法测量迁移</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="671"/>
        <source>Robustness check failed</source>
        <translation>稳健性检查失败</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="686"/>
        <source>The engine stopped</source>
        <translation>引擎停止了</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="690"/>
        <source>Resume the run</source>
        <translation>继续这次运行</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="702"/>
        <source>Cannot resume this run</source>
        <translation>无法继续这次运行</translation>
    </message>
</context>
<context>
    <name>OverlayView</name>
    <message>
        <location filename="../../gui/compare_view.py" line="43"/>
        <source>epoch</source>
        <translation>轮</translation>
    </message>
    <message>
        <location filename="../../gui/compare_view.py" line="44"/>
        <source>held-out accuracy</source>
        <translation>留出集准确率</translation>
    </message>
    <message>
        <location filename="../../gui/compare_view.py" line="50"/>
        <source>Select runs in the table (Ctrl- or Shift-click) to overlay their accuracy curves: solid lines are clean accuracy, dashed lines accuracy under attack.</source>
        <translation>在表格中选择运行记录（按住 Ctrl 或 Shift 点击），叠加显示它们的准确率曲线：实线是干净准确率，虚线是受攻击时的准确率。</translation>
    </message>
    <message>
        <location filename="../../gui/compare_view.py" line="66"/>
        <source>%1 clean</source>
        <translation>%1 干净</translation>
    </message>
    <message>
        <location filename="../../gui/compare_view.py" line="66"/>
        <source>%1 robust</source>
        <translation>%1 稳健</translation>
    </message>
</context>
<context>
    <name>OwnData</name>
    <message>
        <location filename="../../gui/own_data.py" line="34"/>
        <source>A folder with one sub-folder of images per class</source>
        <translation>一个文件夹，每个类别一个装有图片的子文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/own_data.py" line="42"/>
        <location filename="../../gui/own_data.py" line="59"/>
        <source>This folder cannot be used as a dataset</source>
        <translation>这个文件夹不能用作数据集</translation>
    </message>
    <message>
        <location filename="../../gui/own_data.py" line="50"/>
        <source>Dataset: %1 classes (%2). Press ▶ Train to learn them.</source>
        <translation>数据集：%1 个类别（%2）。按 ▶ 训练来学习它们。</translation>
    </message>
    <message>
        <location filename="../../gui/own_data.py" line="62"/>
        <source>Reading the images in %1…</source>
        <translation>正在读取 %1 中的图片…</translation>
    </message>
    <message>
        <location filename="../../gui/own_data.py" line="73"/>
        <source>Open your model</source>
        <translation>打开你的模型</translation>
    </message>
    <message>
        <location filename="../../gui/own_data.py" line="75"/>
        <source>PyTorch models (*.pt2 *.pt *.pth);;All files (*)</source>
        <translation>PyTorch 模型 (*.pt2 *.pt *.pth);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../gui/own_data.py" line="84"/>
        <source>These settings cannot be used</source>
        <translation>这些设置无法使用</translation>
    </message>
    <message>
        <location filename="../../gui/own_data.py" line="91"/>
        <source>Which architecture?</source>
        <translation>哪种网络结构？</translation>
    </message>
    <message>
        <location filename="../../gui/own_data.py" line="92"/>
        <source>These weights are for which built-in model?</source>
        <translation>这些权重属于哪个内置模型？</translation>
    </message>
    <message>
        <location filename="../../gui/own_data.py" line="113"/>
        <source>This model cannot be used</source>
        <translation>这个模型无法使用</translation>
    </message>
    <message>
        <location filename="../../gui/own_data.py" line="116"/>
        <source>Checking your model %1…</source>
        <translation>正在检查你的模型 %1…</translation>
    </message>
    <message>
        <location filename="../../gui/own_data.py" line="105"/>
        <source>Attacking your model %1</source>
        <translation>正在攻击你的模型 %1</translation>
    </message>
</context>
<context>
    <name>RobustnessView</name>
    <message>
        <location filename="../../gui/robustness.py" line="36"/>
        <source>One gradient step of size ε: a fast, weak attack.</source>
        <translation>沿梯度走一步，步长为 ε：快速但较弱的攻击。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="42"/>
        <source>Many small gradient steps inside the ε box: the standard strong attack.</source>
        <translation>在 ε 范围内沿梯度走许多小步：标准的强攻击。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="46"/>
        <source>random noise</source>
        <translation>随机噪声</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="48"/>
        <source>Random ±ε noise, no gradient: shows how much of the drop is due to a real attack.</source>
        <translation>随机的 ±ε 噪声，不用梯度：用来看出准确率的下降有多少来自真正的攻击。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="57"/>
        <source>APGD-CE</source>
        <translation>APGD（交叉熵）</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="59"/>
        <source>Auto-PGD on the cross-entropy: PGD that tunes its own step size (part of AutoAttack). Stronger than PGD when PGD&apos;s step size is badly chosen.</source>
        <translation>基于交叉熵的 APGD：自动调整步长的 PGD（AutoAttack 的一部分）。当 PGD 的步长选得不好时，它比 PGD 更强。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="67"/>
        <source>APGD-DLR</source>
        <translation>APGD（差比损失）</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="69"/>
        <source>Auto-PGD on a loss that ignores how confident the model is: it sees through models that hide their gradients by being over-confident.</source>
        <translation>基于一种不看模型有多自信的损失的 APGD：能识破那些靠过度自信来隐藏梯度的模型。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="77"/>
        <source>Carlini–Wagner</source>
        <translation>CW</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="79"/>
        <source>Finds the smallest change that fools each image (L2 distance). Its curve counts an image as fooled at ε when the change it found is at most ε per pixel.</source>
        <translation>为每张图像找出能骗过模型的最小改动（L2 距离）。在它的曲线上，如果找到的改动每个像素不超过 ε，这张图像就算在 ε 处被骗。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="89"/>
        <source>Steps straight to the nearest decision boundary: the smallest change it finds is a quick estimate of how far each image is from being misread.</source>
        <translation>直接走向最近的决策边界：它找到的最小改动可以快速估计每张图像离被认错还有多远。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="211"/>
        <source>Attacks:</source>
        <translation>攻击方式：</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="219"/>
        <source>Stronger attacks:</source>
        <translation>更强的攻击：</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="222"/>
        <source> Slower: try fewer images first.</source>
        <translation> 较慢：先用较少的图像试试。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="228"/>
        <source>ε up to </source>
        <translation>ε 最大 </translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="230"/>
        <source>The largest pixel change tried, in grey levels out of 255.</source>
        <translation>尝试的最大像素改动，以 255 级灰度中的级数表示。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="234"/>
        <source> ε values</source>
        <translation> 个 ε 值</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="235"/>
        <source>How many ε values between 0 and the maximum are measured.</source>
        <translation>在 0 到最大值之间测量多少个 ε 值。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="239"/>
        <source> PGD steps</source>
        <translation> 步 PGD</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="240"/>
        <source>Steps of the PGD attack: more is stronger and slower.</source>
        <translation>PGD 攻击的步数：越多越强，也越慢。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="244"/>
        <source> images</source>
        <translation> 张图像</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="245"/>
        <source>How many held-out images are attacked (more = more precise, slower).</source>
        <translation>攻击多少张留出图像（越多越精确，也越慢）。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="246"/>
        <source>Sanity checks</source>
        <translation>可信度检查</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="250"/>
        <source>After the curve, test whether its numbers can be trusted: a huge ε must break the model, more attack steps must not help it, random noise must be weaker than the attack, and FGSM must not be much weaker than PGD.</source>
        <translation>画出曲线后，检验这些数字是否可信：很大的 ε 必须能攻破模型，更多的攻击步数不能让模型变好，随机噪声必须比攻击弱，FGSM 也不能比 PGD 弱太多。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="257"/>
        <source>Measure at</source>
        <translation>测量范围</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="260"/>
        <source>Measure robustness</source>
        <translation>测量稳健性</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="262"/>
        <source>Attack the trained model at each ε and plot the accuracy that survives.</source>
        <translation>在每个 ε 下攻击训练好的模型，并画出剩下的准确率。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="263"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="271"/>
        <location filename="../../gui/robustness.py" line="373"/>
        <source>Train a model (or open a run), then measure how its accuracy falls as ε grows.</source>
        <translation>先训练一个模型（或打开一个运行记录），再测量随着 ε 增大它的准确率下降多少。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="273"/>
        <location filename="../../gui/robustness.py" line="367"/>
        <source>Testing: no model yet</source>
        <translation>测试对象：还没有模型</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="276"/>
        <source>The model these measurements attack</source>
        <translation>这些测量所攻击的模型</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="278"/>
        <source>Accuracy under attack</source>
        <translation>受攻击时的准确率</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="279"/>
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="280"/>
        <source>ε (grey levels out of 255)</source>
        <translation>ε（255 级灰度中的级数）</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="313"/>
        <source>&amp;Accuracy against ε</source>
        <translation>准确率与 ε(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="314"/>
        <source>&amp;Where images fall</source>
        <translation>图像在哪里被攻破(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="317"/>
        <source>Per image, the smallest ε at which PGD breaks it: a histogram and the digits that fall first</source>
        <translation>每张图像被 PGD 攻破的最小 ε：直方图，以及最先被攻破的数字</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="325"/>
        <source>Can these numbers be trusted?</source>
        <translation>这些数字可信吗？</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="328"/>
        <source>A model can look robust only because the attack cannot use its gradients (gradient masking). These checks look for the usual signs of that.</source>
        <translation>模型看起来稳健，可能只是因为攻击无法利用它的梯度（梯度掩蔽）。这些检查会寻找这种情况的常见迹象。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="354"/>
        <source>Tick at least one attack.</source>
        <translation>请至少勾选一种攻击。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="367"/>
        <source>Testing: %1</source>
        <translation>测试对象：%1</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="371"/>
        <source>Choose the attacks and the ε range, then press Measure robustness.</source>
        <translation>选择攻击方法和 ε 范围，然后点击“测量稳健性”。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="413"/>
        <source>Proving which images no attack can change (interval bounds)…</source>
        <translation>正在证明哪些图像是任何攻击都改变不了的（区间界）…</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="417"/>
        <source>Clean accuracy %1 on %2 held-out images. A robust model keeps its curve high as ε grows; noise should barely hurt.</source>
        <translation>在 %2 张留出图像上的干净准确率为 %1。稳健的模型在 ε 增大时曲线仍保持在高处；噪声应该几乎没有影响。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="432"/>
        <source>certified (interval bounds)</source>
        <translation>可证明（区间界）</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="443"/>
        <source>Certified (dotted line, green area): at ε = %1, %2 of the %3 images are proven to keep their label under every change of that size, whatever the attack. Between this line and the attacks&apos; curves: not broken by our attacks, not proven safe.</source>
        <translation>可证明（点线，绿色区域）：在 ε = %1 时，%3 张图像中有 %2 被证明在这个大小以内的任何改动下都保持原来的类别，无论用什么攻击。这条线与各攻击曲线之间的部分：我们的攻击没有攻破，但也没有被证明安全。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="455"/>
        <source>No certified curve: %1</source>
        <translation>没有可证明曲线：%1</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="472"/>
        <source>Checks at ε = %1 (%2/255): checking…</source>
        <translation>在 ε = %1（%2/255）处检查：检查中…</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="510"/>
        <source>Checks at ε = %1 (%2/255): %3</source>
        <translation>在 ε = %1（%2/255）处检查：%3</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="515"/>
        <source>Checks: %3</source>
        <translation>检查结果：%3</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="503"/>
        <source>all passed</source>
        <translation>全部通过</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="505"/>
        <source>1 warning</source>
        <translation>1 个警告</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="507"/>
        <source>%1 warnings</source>
        <translation>%1 个警告</translation>
    </message>
</context>
<context>
    <name>RunStatus</name>
    <message>
        <location filename="../../gui/status_bar.py" line="19"/>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="20"/>
        <source>Training</source>
        <translation>训练中</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="21"/>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="22"/>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="26"/>
        <source>cpu (%1 threads)</source>
        <translation>CPU（%1 个线程）</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="27"/>
        <source>cpu (%1 thread)</source>
        <translation>CPU（%1 个线程）</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="28"/>
        <source>cuda:%1 (%2)</source>
        <translation>GPU %1（%2）</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="50"/>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="62"/>
        <source>Device: –</source>
        <translation>设备：–</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="63"/>
        <source>The device actually used by the current run</source>
        <translation>当前运行实际使用的设备</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="64"/>
        <location filename="../../gui/status_bar.py" line="133"/>
        <source>– images/s</source>
        <translation>– 张/秒</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="68"/>
        <source>epoch –</source>
        <translation>第 – 轮</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="69"/>
        <location filename="../../gui/status_bar.py" line="132"/>
        <source>time left –</source>
        <translation>剩余时间 –</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="75"/>
        <location filename="../../gui/status_bar.py" line="139"/>
        <source>%1 images/s</source>
        <translation>%1 张/秒</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="76"/>
        <location filename="../../gui/status_bar.py" line="147"/>
        <source>time left %1</source>
        <translation>剩余时间 %1</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="105"/>
        <source>Engine ready (PyTorch %1)</source>
        <translation>引擎已就绪（PyTorch %1）</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="112"/>
        <source>epoch 1/%1</source>
        <translation>第 1/%1 轮</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="114"/>
        <source>Device: %1</source>
        <translation>设备：%1</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="123"/>
        <source>epoch %1/%1 · done</source>
        <translation>第 %1/%1 轮 · 完成</translation>
    </message>
    <message>
        <location filename="../../gui/status_bar.py" line="142"/>
        <source>epoch %1/%2 · %3</source>
        <translation>第 %1/%2 轮 · %3</translation>
    </message>
</context>
<context>
    <name>RunsBrowser</name>
    <message>
        <location filename="../../gui/runs_browser.py" line="56"/>
        <source>Run</source>
        <translation>运行记录</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="57"/>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="58"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="59"/>
        <source>Attack</source>
        <translation>攻击</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="62"/>
        <source>Clean</source>
        <translation>干净</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="63"/>
        <source>Robust</source>
        <translation>稳健</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="64"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="65"/>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="69"/>
        <source>completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="70"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="71"/>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="72"/>
        <source>unfinished</source>
        <translation>未完成</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="73"/>
        <source>finished</source>
        <translation>已结束</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="74"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="75"/>
        <source>digits</source>
        <translation>8×8 数字</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="76"/>
        <source>mnist</source>
        <translation>MNIST</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="77"/>
        <source>fashion-mnist</source>
        <translation>Fashion-MNIST</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="78"/>
        <source>cifar10</source>
        <translation>CIFAR-10</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="79"/>
        <source>folder</source>
        <translation>图片文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="80"/>
        <source>seed-cnn</source>
        <translation>种子 CNN</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="81"/>
        <source>mlp</source>
        <translation>MLP</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="82"/>
        <source>small-cnn</source>
        <translation>小型 CNN</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="83"/>
        <source>resnet</source>
        <translation>小型 ResNet</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="84"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="85"/>
        <source>fgsm</source>
        <translation>FGSM</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="86"/>
        <source>fgsm-rs</source>
        <translation>FGSM + 随机起点</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="87"/>
        <source>pgd</source>
        <translation>PGD</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="144"/>
        <source>Every run in the runs folder. Ctrl- or Shift-click to select several and compare them; double-click a run&apos;s name to rename it.</source>
        <translation>运行记录文件夹中的所有运行。按住 Ctrl 或 Shift 点击可选择多个进行比较；双击运行名称可重命名。</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="150"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="151"/>
        <source>Read the runs folder again (F5)</source>
        <translation>重新读取运行记录文件夹（F5）</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="153"/>
        <source>Export report…</source>
        <translation>导出报告…</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="156"/>
        <source>Write the selected run&apos;s settings, curves and adversarial examples as an HTML report (with a CSV of every number beside it)</source>
        <translation>把选中运行的设置、曲线和对抗样本写成 HTML 报告（旁边附带一个包含全部数字的 CSV 文件）</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="161"/>
        <source>Compare report…</source>
        <translation>比较报告…</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="164"/>
        <source>Write an HTML report comparing the selected runs: settings, the trade-off plot, their curves overlaid and the transfer matrix if measured</source>
        <translation>写一份比较选中运行的 HTML 报告：设置、权衡图、叠加的曲线，以及测量过的迁移矩阵</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="173"/>
        <source>The λ values to train with, separated by commas. λ is the weight of the attacked images in the training loss: 0 is ordinary training.</source>
        <translation>用来训练的 λ 值，用逗号分隔。λ 是训练损失中被攻击图像的权重：0 是普通训练。</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="177"/>
        <source>Sweep λ</source>
        <translation>扫描 λ</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="181"/>
        <source>Train one run per λ, one after another, with all other settings taken from the panel on the left. Each finished run becomes a point on the trade-off plot, so you see what robustness costs in accuracy.</source>
        <translation>每个 λ 训练一次，依次进行，其他设置都取自左侧面板。每次完成的运行都会成为权衡图上的一个点，让你看到稳健性要付出多少准确率。</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="186"/>
        <source>&amp;Grid…</source>
        <translation>网格(&amp;G)…</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="189"/>
        <source>Build a grid: several values for λ, ε, the attack, the model, the regularisation and more, each setting trained with one or more seeds; shows how many runs it means and about how long.</source>
        <translation>构建网格：为 λ、ε、攻击、模型、正则化等给出多个值，每个设置用一个或多个种子训练；并显示这意味着多少个运行、大约需要多长时间。</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="193"/>
        <source>Cancel sweep</source>
        <translation>取消扫描</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="194"/>
        <source>Stop the running sweep run and drop the runs still waiting</source>
        <translation>停止正在进行的扫描运行，并放弃仍在等待的运行</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="200"/>
        <source>clean accuracy</source>
        <translation>干净准确率</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="201"/>
        <source>robust accuracy</source>
        <translation>稳健准确率</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="224"/>
        <source>Runs measured the same way (dataset, attack and ε) share one plot</source>
        <translation>以相同方式（数据集、攻击和 ε）测量的运行共用一张图</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="233"/>
        <source>Trade-off</source>
        <translation>权衡</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="234"/>
        <source>Curves</source>
        <translation>曲线</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="235"/>
        <source>Transfer</source>
        <translation>迁移</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="245"/>
        <source>λ values:</source>
        <translation>λ 值：</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="351"/>
        <source>%1 · PGD-%2 at ε = %3 · %4 runs</source>
        <translation>%1 · PGD-%2，ε = %3 · %4 次运行</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="379"/>
        <source>%1 · mean of %2 seeds</source>
        <translation>%1 · %2 个种子的平均</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="423"/>
        <source>%1: clean %2, robust %3 (%4 seeds)</source>
        <translation>%1：干净 %2，稳健 %3（%4 个种子）</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="431"/>
        <source>Diamonds: the mean of runs that differ only by seed; bars: ± one standard deviation.</source>
        <translation>菱形：只有种子不同的各运行的平均值；误差线：± 一个标准差。</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="448"/>
        <source>The name could not be saved</source>
        <translation>无法保存名称</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="515"/>
        <source>  %1: %2, %3, clean %4, robust %5</source>
        <translation>  %1：%2，%3，干净 %4，稳健 %5</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="517"/>
        <source>%1 runs selected:</source>
        <translation>已选择 %1 次运行：</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="552"/>
        <source>Select two or more runs in the table first (Ctrl-click).</source>
        <translation>请先在表格中选择两次或更多运行（按住 Ctrl 点击）。</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="577"/>
        <source>HTML report (*.html)</source>
        <translation>HTML 报告 (*.html)</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="587"/>
        <source>Writing the report…</source>
        <translation>正在写报告…</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="590"/>
        <source>Report written to %1</source>
        <translation>报告已写入 %1</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="596"/>
        <source>Report not written</source>
        <translation>报告未能写入</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="602"/>
        <source>Export report</source>
        <translation>导出报告</translation>
    </message>
    <message>
        <location filename="../../gui/runs_browser.py" line="609"/>
        <source>Compare runs</source>
        <translation>比较运行记录</translation>
    </message>
</context>
<context>
    <name>Saliency</name>
    <message>
        <location filename="../../gui/saliency.py" line="25"/>
        <source>Input gradient</source>
        <translation>输入梯度</translation>
    </message>
    <message>
        <location filename="../../gui/saliency.py" line="26"/>
        <source>SmoothGrad (gradient averaged over noisy copies)</source>
        <translation>SmoothGrad（对加噪副本取平均的梯度）</translation>
    </message>
    <message>
        <location filename="../../gui/saliency.py" line="27"/>
        <source>Integrated Gradients (from a black image)</source>
        <translation>积分梯度（从全黑图像出发）</translation>
    </message>
    <message>
        <location filename="../../gui/saliency.py" line="33"/>
        <source>This model</source>
        <translation>当前模型</translation>
    </message>
    <message>
        <location filename="../../gui/saliency.py" line="34"/>
        <source>Shipped standard model</source>
        <translation>随附的标准模型</translation>
    </message>
    <message>
        <location filename="../../gui/saliency.py" line="35"/>
        <source>Shipped robust model</source>
        <translation>随附的稳健模型</translation>
    </message>
</context>
<context>
    <name>SaliencyView</name>
    <message>
        <location filename="../../gui/saliency.py" line="47"/>
        <source>Bright pixels are where a small change moves the model&apos;s score for the class the most. The percentage under each map is the share of its brightness on the digit&apos;s strokes (pixels brighter than mid-grey).</source>
        <translation>越亮的像素，表示在那里做微小改动最能改变模型对该类别的得分。每张图下方的百分比是其亮度落在数字笔画上（比中灰更亮的像素）的比例。</translation>
    </message>
    <message>
        <location filename="../../gui/saliency.py" line="58"/>
        <source>How the map is made. Input gradient: the raw sensitivity. SmoothGrad: the same, averaged over 25 noisy copies of the image, so single-pixel noise fades. Integrated Gradients: the gradient summed along the way from a black image, so every pixel&apos;s share of the score adds up.</source>
        <translation>图的生成方式。输入梯度：原始的敏感度。SmoothGrad：同样的梯度，在图像的 25 个加噪副本上取平均，单个像素的噪声因此减弱。积分梯度：从全黑图像出发沿途累加的梯度，各像素的份额加起来正好是得分。</translation>
    </message>
    <message>
        <location filename="../../gui/saliency.py" line="64"/>
        <source>the true class</source>
        <translation>真实类别</translation>
    </message>
    <message>
        <location filename="../../gui/saliency.py" line="65"/>
        <source>the class the model sees</source>
        <translation>模型认出的类别</translation>
    </message>
    <message>
        <location filename="../../gui/saliency.py" line="67"/>
        <source>Explain the right answer, or the answer the model gives (after an attack, the wrong one).</source>
        <translation>解释正确答案，或模型给出的答案（攻击之后是错误的那个）。</translation>
    </message>
    <message>
        <location filename="../../gui/saliency.py" line="70"/>
        <source>&amp;Map:</source>
        <translation>图(&amp;M)：</translation>
    </message>
    <message>
        <location filename="../../gui/saliency.py" line="71"/>
        <source>&amp;Explain:</source>
        <translation>解释(&amp;E)：</translation>
    </message>
    <message>
        <location filename="../../gui/saliency.py" line="72"/>
        <source>Computing the maps…</source>
        <translation>正在计算显著性图…</translation>
    </message>
    <message>
        <location filename="../../gui/saliency.py" line="88"/>
        <source>The maps could not be made: {reason}</source>
        <translation>无法生成显著性图：{reason}</translation>
    </message>
    <message>
        <location filename="../../gui/saliency.py" line="102"/>
        <source>on the strokes: {share}</source>
        <translation>落在笔画上：{share}</translation>
    </message>
    <message>
        <location filename="../../gui/saliency.py" line="118"/>
        <source>Clean image</source>
        <translation>原始图像</translation>
    </message>
    <message>
        <location filename="../../gui/saliency.py" line="119"/>
        <location filename="../../gui/saliency.py" line="121"/>
        <source>Its map</source>
        <translation>它的显著性图</translation>
    </message>
    <message>
        <location filename="../../gui/saliency.py" line="120"/>
        <source>Attacked image</source>
        <translation>攻击后的图像</translation>
    </message>
    <message>
        <location filename="../../gui/saliency.py" line="141"/>
        <source>The model sees {seen}</source>
        <translation>模型认为是 {seen}</translation>
    </message>
    <message>
        <location filename="../../gui/saliency.py" line="146"/>
        <source>What moves the score of class {name}</source>
        <translation>哪些像素影响类别 {name} 的得分</translation>
    </message>
    <message>
        <location filename="../../gui/saliency.py" line="148"/>
        <source>sees {seen} · map of {name}</source>
        <translation>认为是 {seen} · {name} 的图</translation>
    </message>
</context>
<context>
    <name>SanityCheck</name>
    <message>
        <location filename="../../gui/robustness.py" line="99"/>
        <source>At ε = %1 PGD brings accuracy down to %2, as it should.</source>
        <translation>在 ε = %1 时，PGD 把准确率降到了 %2，符合预期。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="100"/>
        <source>At ε = %1 accuracy is still %2 under PGD: the attack cannot follow the gradients (a sign of gradient masking).</source>
        <translation>在 ε = %1 时，PGD 攻击下准确率仍有 %2：攻击无法沿着梯度进行（梯度掩蔽的迹象）。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="105"/>
        <source>The model gives different answers for %1 of the same adversarial examples from one pass to the next: it is randomised, so PGD&apos;s number is not to be trusted (attack it with an average over many passes, EOT).</source>
        <translation>对同一批对抗样本，模型在两次前向计算中有 %1 给出了不同的答案：它是随机化的，所以 PGD 的数字不可信（请用多次计算取平均的攻击，即 EOT）。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="110"/>
        <source>More PGD steps or restarts lowered robust accuracy (%1 → %2): PGD-%3 had not converged, so its number is too optimistic.</source>
        <translation>更多的 PGD 步数或重启降低了稳健准确率（%1 → %2）：PGD-%3 还没有收敛，所以它给出的数字过于乐观。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="115"/>
        <source>4× the steps and 3 restarts leave robust accuracy at %1 (PGD-%2: %3): the attack has converged.</source>
        <translation>用 4 倍步数和 3 次重启后，稳健准确率为 %1（PGD-%2：%3）：攻击已经收敛。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="119"/>
        <source>Neither noise nor PGD changes accuracy at ε = %1; nothing to compare (see the large-ε check).</source>
        <translation>在 ε = %1 时，噪声和 PGD 都没有改变准确率；无从比较（见大 ε 检查）。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="123"/>
        <source>PGD (%1) is much stronger than random noise (%2) of the same size, as it should be.</source>
        <translation>PGD（%1）比同样大小的随机噪声（%2）强得多，符合预期。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="126"/>
        <source>Random noise (%1) is nearly as strong as PGD (%2): the gradients do not help the attack (gradient masking).</source>
        <translation>随机噪声（%1）几乎和 PGD（%2）一样强：梯度对攻击没有帮助（梯度掩蔽）。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="130"/>
        <source>Not run: no other model was given to transfer attacks from.</source>
        <translation>未运行：没有提供可以迁移攻击的其他模型。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="131"/>
        <source>Examples made on another model (%1) beat the white-box attack on this one (%2): its gradients are masked.</source>
        <translation>在另一个模型上生成的样本（%1）比对这个模型的白盒攻击（%2）更有效：它的梯度被掩蔽了。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="135"/>
        <source>The transfer attack (%1) is weaker than the white-box attack (%2), as it should be.</source>
        <translation>迁移攻击（%1）比白盒攻击（%2）弱，符合预期。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="138"/>
        <source>One-step FGSM (%1) beats PGD (%2): the iterative attack is being misled (gradient masking).</source>
        <translation>一步的 FGSM（%1）胜过了 PGD（%2）：迭代攻击被误导了（梯度掩蔽）。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="142"/>
        <source>FGSM leaves %1 but PGD only %2: the model resists the one-step attack but not a real one (%3; a masking sign).</source>
        <translation>FGSM 后还剩 %1，PGD 后只剩 %2：模型挡住了一步攻击，却挡不住真正的攻击（%3；这是掩蔽的迹象）。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="147"/>
        <source>catastrophic overfitting to the one-step training attack</source>
        <translation>对训练时所用一步攻击的灾难性过拟合</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="148"/>
        <source>the gradient at the clean image points the wrong way</source>
        <translation>干净图像处的梯度指错了方向</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="149"/>
        <source>FGSM (%1) and PGD (%2) agree as expected.</source>
        <translation>FGSM（%1）与 PGD（%2）的结果相符，符合预期。</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="154"/>
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="155"/>
        <source>limit</source>
        <translation>上限</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="156"/>
        <source>steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="157"/>
        <source>accuracy with 4× the steps</source>
        <translation>4 倍步数时的准确率</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="158"/>
        <source>accuracy with 3 restarts</source>
        <translation>3 次重启时的准确率</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="159"/>
        <source>share of answers that changed between two passes</source>
        <translation>两次计算间答案改变的比例</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="160"/>
        <source>clean accuracy</source>
        <translation>干净准确率</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="161"/>
        <source>accuracy under noise</source>
        <translation>噪声下的准确率</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="162"/>
        <source>accuracy under PGD</source>
        <translation>PGD 下的准确率</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="163"/>
        <source>accuracy under FGSM</source>
        <translation>FGSM 下的准确率</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="164"/>
        <source>white-box accuracy</source>
        <translation>白盒准确率</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="165"/>
        <source>transfer accuracy</source>
        <translation>迁移准确率</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="168"/>
        <source>pass</source>
        <translation>通过</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="169"/>
        <source>warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../gui/robustness.py" line="170"/>
        <source>skipped</source>
        <translation>跳过</translation>
    </message>
</context>
<context>
    <name>SweepDialog</name>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="40"/>
        <source>λ (weight of attacked images)</source>
        <translation>λ（攻击后图像的权重）</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="41"/>
        <source>0 is ordinary training; 1 weighs clean and attacked images alike.</source>
        <translation>0 是普通训练；1 表示原图与攻击后的图像同样重要。</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="45"/>
        <source>β (TRADES, MART)</source>
        <translation>β（TRADES、MART）</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="46"/>
        <source>The weight of the KL term of TRADES and MART (used by those methods only).</source>
        <translation>TRADES 和 MART 中 KL 项的权重（只有这两种方法使用）。</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="50"/>
        <source>ε (strength)</source>
        <translation>ε（强度）</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="51"/>
        <source>How far the training attack may change each pixel: 0.1, or grey levels such as 8/255.</source>
        <translation>训练用的攻击最多能把每个像素改动多少：例如 0.1，或以灰度级表示的 8/255。</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="57"/>
        <source>Attack</source>
        <translation>攻击</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="58"/>
        <source>The attack that makes the training&apos;s adversarial images.</source>
        <translation>生成训练用对抗样本的攻击。</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="62"/>
        <source>Method</source>
        <translation>训练方法</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="63"/>
        <source>How attacked images enter the loss.</source>
        <translation>攻击后的图像如何进入损失函数。</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="65"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="65"/>
        <source>The network trained.</source>
        <translation>要训练的网络。</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="66"/>
        <source>Weight of the L1 penalty on the weights.</source>
        <translation>对权重的 L1 惩罚的系数。</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="67"/>
        <source>Weight of the L2 penalty on the weights.</source>
        <translation>对权重的 L2 惩罚的系数。</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="70"/>
        <source>Dropout</source>
        <translation>随机失活</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="71"/>
        <source>Share of units dropped while training, 0 to 0.99.</source>
        <translation>训练时随机丢弃的单元比例，0 到 0.99。</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="75"/>
        <source>Rotation (°)</source>
        <translation>旋转（°）</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="76"/>
        <source>Augmentation strength: images turned by up to this many degrees.</source>
        <translation>数据增强强度：图像最多旋转这么多度。</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="80"/>
        <source>Noise</source>
        <translation>噪声</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="81"/>
        <source>Augmentation strength: Gaussian noise of this standard deviation.</source>
        <translation>数据增强强度：加入这个标准差的高斯噪声。</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="85"/>
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="86"/>
        <source>Passes over the training images per run.</source>
        <translation>每个运行遍历训练图像的次数。</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="96"/>
        <source>adversarial training</source>
        <translation>对抗训练</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="99"/>
        <source>IBP (certified)</source>
        <translation>IBP（可认证）</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="146"/>
        <source>Sweep: a grid of runs</source>
        <translation>扫描：一组网格运行</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="155"/>
        <source>Every combination of the values below is trained, once per seed; everything else comes from the panel on the left. Type several numbers separated by commas, or tick several choices.</source>
        <translation>下面各个值的每一种组合都会训练，每个种子一次；其余设置都取自左侧面板。可以输入用逗号分隔的多个数字，或勾选多个选项。</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="194"/>
        <source>Each setting is trained once per seed (e.g. 0, 1, 2). With several seeds the Runs tab shows the mean and the spread, so a difference can be told from chance.</source>
        <translation>每个设置对每个种子训练一次（例如 0, 1, 2）。有多个种子时，“运行记录”页会显示平均值和离散程度，从而把真正的差异与偶然区分开。</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="199"/>
        <source>&amp;Seeds:</source>
        <translation>种子(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="207"/>
        <source>1 trains the runs one after another, with live curves. More trains that many at once, each in its own process with a share of the processor&apos;s cores; a run shows up in the Runs tab as it goes, without live curves. On a computer with few cores, more at once is not faster.</source>
        <translation>1 表示逐个训练，曲线实时显示。大于 1 时同时训练这么多个运行，每个在自己的进程中，分用处理器的一部分核心；运行会随进度出现在“运行记录”页中，但没有实时曲线。在核心很少的电脑上，同时训练多个并不会更快。</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="212"/>
        <source>&amp;Runs at once:</source>
        <translation>同时运行数(&amp;R)：</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="226"/>
        <source>Queue the runs</source>
        <translation>排队训练这些运行</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="257"/>
        <location filename="../../gui/sweep_dialog.py" line="259"/>
        <source>Seeds</source>
        <translation>种子</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="270"/>
        <source>%1: &apos;%2&apos; is not a number.</source>
        <translation>%1：&apos;%2&apos; 不是数字。</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="272"/>
        <source>%1: give at least one value.</source>
        <translation>%1：请至少给出一个值。</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="288"/>
        <source>time unknown: no finished run of this dataset to measure the speed by</source>
        <translation>时间未知：这个数据集还没有已完成的运行可用来测量速度</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="290"/>
        <source>about %1, from the speed of the runs already trained</source>
        <translation>大约 %1（根据已训练运行的速度估计）</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="293"/>
        <source>%1 runs (%2 settings × %3 seeds); %4.</source>
        <translation>%1 个运行（%2 个设置 × %3 个种子）；%4。</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="308"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="310"/>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <location filename="../../gui/sweep_dialog.py" line="311"/>
        <source>%1 h</source>
        <translation>%1 小时</translation>
    </message>
</context>
<context>
    <name>TrainingController</name>
    <message>
        <location filename="../../gui/controller.py" line="304"/>
        <source>The engine cannot start (%1, %2 times in a row). Nothing can be trained or attacked until this is fixed; the details are in the log file %3.</source>
        <translation>引擎无法启动（%1，已连续 %2 次）。在解决这个问题之前，无法训练或攻击；详细信息在日志文件 %3 中。</translation>
    </message>
    <message>
        <location filename="../../gui/controller.py" line="316"/>
        <source>The engine stopped unexpectedly (%1). The window is fine and the run is saved up to its last checkpoint; you can resume it.</source>
        <translation>引擎意外停止（%1）。窗口没有问题，运行已保存到最近的检查点；你可以继续这次运行。</translation>
    </message>
    <message>
        <location filename="../../gui/controller.py" line="321"/>
        <source>The engine stopped unexpectedly (%1) and was restarted.</source>
        <translation>引擎意外停止（%1），已重新启动。</translation>
    </message>
    <message>
        <location filename="../../gui/controller.py" line="334"/>
        <source>The engine did not answer Stop within 2 seconds, so it was restarted. The run is saved up to its last checkpoint; you can resume it.</source>
        <translation>引擎在 2 秒内没有响应“停止”，因此已重新启动。运行已保存到最近的检查点；你可以继续这次运行。</translation>
    </message>
    <message>
        <location filename="../../gui/controller.py" line="339"/>
        <source>The engine did not answer Stop within 2 seconds, so it was restarted.</source>
        <translation>引擎在 2 秒内没有响应“停止”，因此已重新启动。</translation>
    </message>
    <message>
        <location filename="../../gui/controller.py" line="357"/>
        <source>The engine stopped before it answered; try again.</source>
        <translation>引擎在回答之前停止了；请再试一次。</translation>
    </message>
    <message>
        <location filename="../../gui/controller.py" line="424"/>
        <source>The engine is not running.</source>
        <translation>引擎没有在运行。</translation>
    </message>
    <message>
        <location filename="../../gui/controller.py" line="424"/>
        <source>The engine could not be asked.</source>
        <translation>无法向引擎发送请求。</translation>
    </message>
</context>
<context>
    <name>TransferView</name>
    <message>
        <location filename="../../gui/compare_view.py" line="32"/>
        <source>pgd</source>
        <translation>PGD</translation>
    </message>
    <message>
        <location filename="../../gui/compare_view.py" line="32"/>
        <source>fgsm</source>
        <translation>FGSM</translation>
    </message>
    <message>
        <location filename="../../gui/compare_view.py" line="104"/>
        <source>The attack run on each model to make its adversarial examples.</source>
        <translation>在每个模型上用来生成对抗样本的攻击。</translation>
    </message>
    <message>
        <location filename="../../gui/compare_view.py" line="111"/>
        <source>How far each pixel may move (as a fraction of the full range).</source>
        <translation>每个像素最多可以改动多少（占整个范围的比例）。</translation>
    </message>
    <message>
        <location filename="../../gui/compare_view.py" line="115"/>
        <source> PGD steps</source>
        <translation> 步 PGD</translation>
    </message>
    <message>
        <location filename="../../gui/compare_view.py" line="119"/>
        <source> images</source>
        <translation> 张图像</translation>
    </message>
    <message>
        <location filename="../../gui/compare_view.py" line="120"/>
        <source>How many held-out images are attacked on each model.</source>
        <translation>在每个模型上攻击多少张留出图像。</translation>
    </message>
    <message>
        <location filename="../../gui/compare_view.py" line="121"/>
        <source>Measure transfer</source>
        <translation>测量迁移</translation>
    </message>
    <message>
        <location filename="../../gui/compare_view.py" line="124"/>
        <source>Make adversarial examples on each selected run&apos;s model and test every selected model on them (needs two or more runs on the same data).</source>
        <translation>在每个选中运行的模型上生成对抗样本，再用它们测试每个选中的模型（需要两次或更多在相同数据上的运行）。</translation>
    </message>
    <message>
        <location filename="../../gui/compare_view.py" line="128"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../gui/compare_view.py" line="134"/>
        <source>Rows: the model the examples were made on. Columns: the model tested. The diagonal is the ordinary (white-box) robust accuracy; a cell far below its column&apos;s diagonal means that model&apos;s own gradients hide its weakness.</source>
        <translation>行：生成样本所用的模型。列：被测试的模型。对角线是普通的（白盒）稳健准确率；如果某个格子远低于所在列的对角线，说明那个模型自己的梯度掩盖了它的弱点。</translation>
    </message>
    <message>
        <location filename="../../gui/compare_view.py" line="171"/>
        <source>model %1 of %2</source>
        <translation>第 %1 个模型，共 %2 个</translation>
    </message>
    <message>
        <location filename="../../gui/compare_view.py" line="173"/>
        <source>scoring</source>
        <translation>评分中</translation>
    </message>
    <message>
        <location filename="../../gui/compare_view.py" line="181"/>
        <source>%1 at ε = %2 on %3 images. Rows: made on; columns: tested on. The diagonal is white-box robust accuracy.</source>
        <translation>%1，ε = %2，共 %3 张图像。行：生成样本的模型；列：被测试的模型。对角线是白盒稳健准确率。</translation>
    </message>
    <message>
        <location filename="../../gui/compare_view.py" line="193"/>
        <source>tested on %1</source>
        <translation>测试 %1</translation>
    </message>
    <message>
        <location filename="../../gui/compare_view.py" line="193"/>
        <source>made on %1</source>
        <translation>由 %1 生成</translation>
    </message>
</context>
<context>
    <name>ui</name>
    <message>
        <location filename="../../gui/i18n.py" line="41"/>
        <source>Experiment</source>
        <translation>实验</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="42"/>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="43"/>
        <source>Data folder</source>
        <translation>数据文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="44"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="45"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="46"/>
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="47"/>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="48"/>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="49"/>
        <source>Optimizer</source>
        <translation>优化器</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="50"/>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="51"/>
        <source>Digits 8×8 (built in)</source>
        <translation>8×8 数字（内置）</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="52"/>
        <source>MNIST handwritten digits</source>
        <translation>MNIST 手写数字</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="53"/>
        <source>Fashion-MNIST clothes</source>
        <translation>Fashion-MNIST 服装</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="54"/>
        <source>CIFAR-10 photos</source>
        <translation>CIFAR-10 照片</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="55"/>
        <source>My image folder…</source>
        <translation>我的图片文件夹…</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="56"/>
        <source>Seed CNN (tiny, fast)</source>
        <translation>种子 CNN（很小、很快）</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="57"/>
        <source>MLP (fully connected)</source>
        <translation>MLP（全连接）</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="58"/>
        <source>Small CNN</source>
        <translation>小型 CNN</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="59"/>
        <source>Small ResNet</source>
        <translation>小型 ResNet</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="60"/>
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="61"/>
        <source>Adversary and balance (live)</source>
        <translation>攻击者与权衡（实时）</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="62"/>
        <source>Attack</source>
        <translation>攻击</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="63"/>
        <source>ε (strength)</source>
        <translation>ε（强度）</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="64"/>
        <source>PGD steps</source>
        <translation>PGD 步数</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="65"/>
        <source>λ (weight)</source>
        <translation>λ（权重）</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="66"/>
        <source>None (standard training)</source>
        <translation>无（普通训练）</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="67"/>
        <source>FGSM (one step)</source>
        <translation>FGSM（一步）</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="68"/>
        <source>FGSM + random start</source>
        <translation>FGSM + 随机起点</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="69"/>
        <source>PGD (several steps)</source>
        <translation>PGD（多步）</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="70"/>
        <source>Augmentation (live)</source>
        <translation>数据增强（实时）</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="71"/>
        <source>Regularization (live)</source>
        <translation>正则化（实时）</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="72"/>
        <source>Rotation</source>
        <translation>旋转</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="73"/>
        <source>Shift</source>
        <translation>平移</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="74"/>
        <source>Mirror</source>
        <translation>镜像</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="75"/>
        <source>Crop</source>
        <translation>裁剪</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="76"/>
        <source>Noise</source>
        <translation>噪声</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="77"/>
        <source>Dropout</source>
        <translation>Dropout</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="78"/>
        <source>Changes act on the next training step.</source>
        <translation>改动将在下一个训练步生效。</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="79"/>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="80"/>
        <source>Robustness</source>
        <translation>稳健性</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="81"/>
        <source>Runs</source>
        <translation>运行记录</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="82"/>
        <source>▶  Train</source>
        <translation>▶  训练</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="83"/>
        <source>❚❚  Pause</source>
        <translation>❚❚  暂停</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="84"/>
        <source>■  Stop</source>
        <translation>■  停止</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="85"/>
        <source>✓  Evaluate</source>
        <translation>✓  评估</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="86"/>
        <source>Open run…</source>
        <translation>打开运行记录…</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="87"/>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="88"/>
        <source>Attacks:</source>
        <translation>攻击方式：</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="89"/>
        <source>random noise</source>
        <translation>随机噪声</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="90"/>
        <source>The gallery shows attacked examples once training starts.</source>
        <translation>训练开始后，图库会显示被攻击的样本。</translation>
    </message>
    <message>
        <location filename="../../gui/i18n.py" line="91"/>
        <source>Click to enlarge and see all class probabilities</source>
        <translation>点击放大并查看所有类别的概率</translation>
    </message>
</context>
</TS>
