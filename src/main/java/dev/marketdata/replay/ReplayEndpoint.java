package dev.marketdata.replay;

import java.nio.file.Path;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** A recording to play back; consumer only. An empty file name is allowed for a route that does not start. */
public class ReplayEndpoint extends DefaultEndpoint {

    private final String file;
    private double speed = 1;
    private boolean loop;

    ReplayEndpoint(String uri, ReplayComponent component, String file) {
        super(uri, component);
        this.file = file;
    }

    @Override
    public ReplayComponent getComponent() {
        return (ReplayComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("replay is consumer only");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        ReplayConsumer consumer = new ReplayConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    Path file() {
        return Path.of(file);
    }

    /** How many times faster than recorded: 1 the recorded pace, 0 as fast as the pipeline takes the frames. */
    public void setSpeed(double speed) {
        if (speed < 0 || Double.isNaN(speed)) {
            throw new IllegalArgumentException("speed must be 0 or more");
        }
        this.speed = speed;
    }

    public double getSpeed() {
        return speed;
    }

    /** Start over at the end of the file. */
    public void setLoop(boolean loop) {
        this.loop = loop;
    }

    public boolean isLoop() {
        return loop;
    }
}
