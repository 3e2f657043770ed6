package dev.lathe.cli;

import dev.lathe.api.Plugin;
import dev.lathe.api.caption.Captioner;
import dev.lathe.api.cli.CommandPlugin;
import dev.lathe.api.eval.Evaluator;
import dev.lathe.api.model.BaseModelFamily;
import dev.lathe.api.optim.OptimizerFactory;
import dev.lathe.api.pipeline.StageType;
import dev.lathe.api.regularization.RegularizationStrategy;
import java.util.List;

/** The kinds of plugin Lathe knows, with the words {@code lathe plugins} uses for them. */
enum PluginKind {
    MODEL_FAMILY("model family", BaseModelFamily.class),
    OPTIMIZER("optimizer", OptimizerFactory.class),
    CAPTIONER("captioner", Captioner.class),
    REGULARIZATION("regularization", RegularizationStrategy.class),
    EVALUATOR("evaluator", Evaluator.class),
    STAGE("stage", StageType.class),
    COMMAND("command", CommandPlugin.class);

    final String label;
    final Class<? extends Plugin> type;

    PluginKind(String label, Class<? extends Plugin> type) {
        this.label = label;
        this.type = type;
    }

    static List<PluginKind> all() {
        return List.of(values());
    }
}
