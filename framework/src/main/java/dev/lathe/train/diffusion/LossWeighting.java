package dev.lathe.train.diffusion;

/**
 * kohya's per-timestep loss weights, each off unless set. They multiply the per-sample loss in
 * this order (kohya {@code post_process_loss}):
 *
 * <pre>
 * snr   = a_t / (1 - a_t)                       (the schedule's all_snr)
 * min-SNR-gamma       eps: min(snr, gamma) / snr          v: min(snr, gamma) / (snr + 1)
 * scale v-pred loss like noise-pred:  s / (s + 1)         with s = min(snr, 1000)
 * v-pred-like loss:   loss + loss / (s / (s + 1)) * vPredLikeLoss
 * debiased estimation eps: 1 / sqrt(s)                    v: 1 / (s + 1)
 * </pre>
 * The cap of 1000 keeps timestep 0 (snr about 1175) from dominating.
 *
 * @param minSnrGamma                 gamma of min-SNR weighting ({@code --min_snr_gamma}; kohya suggests 5), 0 = off
 * @param scaleVPredLossLikeNoisePred {@code --scale_v_pred_loss_like_noise_pred} (for v-prediction models)
 * @param vPredLikeLoss               weight of {@code --v_pred_like_loss}, 0 = off
 * @param debiasedEstimation          {@code --debiased_estimation_loss}
 */
public record LossWeighting(double minSnrGamma, boolean scaleVPredLossLikeNoisePred, double vPredLikeLoss,
        boolean debiasedEstimation) {

    /** The snr cap of the scale and debiased weights. */
    static final float SNR_CAP = 1000f;

    public LossWeighting {
        if (!(minSnrGamma >= 0) || !(vPredLikeLoss >= 0)) {
            throw new IllegalArgumentException("minSnrGamma and vPredLikeLoss must be >= 0, got " + minSnrGamma
                    + " and " + vPredLikeLoss);
        }
    }

    /** Plain MSE: every weight 1. */
    public static LossWeighting none() {
        return new LossWeighting(0, false, 0, false);
    }

    /** Min-SNR-gamma weighting alone. */
    public static LossWeighting minSnr(double gamma) {
        return new LossWeighting(gamma, false, 0, false);
    }

    /**
     * The factor these weights put on the loss of a sample at a timestep whose SNR is {@code snr},
     * for a model of kind {@code prediction}.
     */
    public float factor(float snr, Prediction prediction) {
        float weight = 1f;
        if (minSnrGamma > 0) {
            weight *= minSnrWeight(snr, (float) minSnrGamma, prediction);
        }
        if (scaleVPredLossLikeNoisePred) {
            weight *= vPredScale(snr);
        }
        if (vPredLikeLoss > 0) {
            weight *= 1f + (float) vPredLikeLoss / vPredScale(snr);
        }
        if (debiasedEstimation) {
            weight *= debiasedWeight(snr, prediction);
        }
        return weight;
    }

    /** Min-SNR-gamma: {@code min(snr, gamma) / snr} for epsilon, {@code / (snr + 1)} for v-prediction. */
    public static float minSnrWeight(float snr, float gamma, Prediction prediction) {
        float clipped = Math.min(snr, gamma);
        return prediction == Prediction.V_PREDICTION ? clipped / (snr + 1f) : clipped / snr;
    }

    /** kohya's {@code get_snr_scale}: {@code s / (s + 1)} with {@code s = min(snr, 1000)}. */
    public static float vPredScale(float snr) {
        float s = Math.min(snr, SNR_CAP);
        return s / (s + 1f);
    }

    /** kohya's {@code apply_debiased_estimation} weight: {@code 1/sqrt(s)} (eps) or {@code 1/(s+1)} (v), s = min(snr, 1000). */
    public static float debiasedWeight(float snr, Prediction prediction) {
        float s = Math.min(snr, SNR_CAP);
        return prediction == Prediction.V_PREDICTION ? 1f / (s + 1f) : 1f / (float) Math.sqrt(s);
    }
}
